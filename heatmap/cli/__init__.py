"""The ``heatmap`` command line."""
