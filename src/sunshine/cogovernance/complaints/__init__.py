"""Complaints (投诉 / 协商维权): diner -> merchant -> company head -> regulator."""
