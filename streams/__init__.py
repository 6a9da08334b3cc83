"""The stream processors: extract → merge → detect → alert → deliver, one folder a stage."""
