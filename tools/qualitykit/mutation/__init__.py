"""Mutation testing: cosmic-ray's mutants, run by warm workers in private copies."""
