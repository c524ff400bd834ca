"""``qualitykit init``: detection, merges and templates that adopt an existing repository."""
