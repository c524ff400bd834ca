"""Repository policies as checks: typed findings from a registry of small rules.

``project.py`` is the read-only view the rules get (files, text, AST, pyproject, Makefiles,
workflows, the base version of a file), ``allows.py`` the inline allows, ``registry.py`` the
rules and ``engine.py`` runs the enabled ones. ``python -m qualitykit.policy`` is the gate
step's adapter; ``qualitykit policy`` the command.
"""
