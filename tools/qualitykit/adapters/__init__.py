"""Small entry points that give tools without a machine-readable output mode a JSON one.

Each runs in the step's own subprocess (``python -m qualitykit.adapters.NAME``), uses the tool's
Python API and prints one JSON document on stdout, so the step parses data, never prose.
"""
