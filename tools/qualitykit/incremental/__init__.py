"""The incremental coverage step: rerun only the tests a change can reach, merge, judge as full.

``store`` keeps what the last full or merged run measured (per-test coverage data and a
manifest of every input's digest), ``plan`` decides from it what to rerun (or that the run must
be full, and why), ``plugin`` names the contexts inside the suite, ``merge`` replaces the rerun
tests' data in the stored data. See docs/incremental.md.
"""
