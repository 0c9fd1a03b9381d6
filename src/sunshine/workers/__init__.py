"""Background workers that are not queue jobs: the kitchen camera analysis (``vision``)."""
