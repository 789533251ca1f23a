"""Data sets the labs train on: generated, bundled with packages, or uploaded."""
