"""``python -m heatmap`` runs the CLI, as the ``heatmap`` console script does."""

from heatmap.cli.entry import main

main()
