"""Sunshine Food Safety (阳光食安): catering food-safety supervision platform."""

__version__ = "0.1.0"
