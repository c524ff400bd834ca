"""Coverage: measurement, floors per group, the two-way ratchet, the badge, diff coverage."""
