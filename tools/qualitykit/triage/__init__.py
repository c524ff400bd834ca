"""Test-suite triage: a red suite becomes clustered, diffed, reproducible reports."""
