"""Qt item models over raw API results: no widgets, no HTTP."""
