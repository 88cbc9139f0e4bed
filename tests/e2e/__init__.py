"""Whole runs: goldens, samples, generation trees, the FAQ recipes, packaging."""
