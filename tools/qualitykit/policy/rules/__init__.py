"""The policy rules, one module per family (or per part of a large family)."""
