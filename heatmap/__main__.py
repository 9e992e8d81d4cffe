"""``python -m heatmap`` runs the CLI."""

from heatmap.cli.app import main

main()
