"""Baselines ("hold the line"): today's findings recorded, so the gate fails only on new ones.

``model`` is the committed file, ``marks`` the findings' fingerprints, ``apply`` what the gate
does with them (every step result, fresh or cached) and ``record`` the ``qualitykit baseline``
command's work (:func:`qualitykit.baseline.record.record_baseline`, also used by ``init``).
"""
