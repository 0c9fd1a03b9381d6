"""Sunshine Supervision's enforcement database (监管执法库): checklists, inspections."""
