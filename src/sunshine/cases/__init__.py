"""The closed-loop case engine and statutory clocks."""
