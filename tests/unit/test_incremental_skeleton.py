"""A module's skeleton: equal when only function bodies changed, different otherwise."""

from __future__ import annotations

from qualitykit.incremental.skeleton import skeleton

BEFORE = b'''\
"""Doc."""

LIMIT = 3


@staticmethod
def area(width, height):
    """Area."""
    return width * height


class Box:
    size = 2

    def volume(self):
        return self.size ** 3
'''


def test_a_body_edit_keeps_the_skeleton_and_records_where_the_bodies_are() -> None:
    """Lines added inside bodies: same digest; the bodies' ranges are where the code is."""
    after = BEFORE.replace(
        b"    return width * height", b"    product = width * height\n    return product"
    )
    before, now = skeleton(BEFORE), skeleton(after)
    assert before is not None
    assert now is not None
    assert before.digest == now.digest
    assert before.bodies == ((8, 9), (16, 16))
    assert now.bodies == ((8, 10), (17, 17))


def test_module_level_edits_change_the_skeleton() -> None:
    """A constant, a class attribute, a decorator, a signature: each is import-time code."""
    before = skeleton(BEFORE)
    assert before is not None
    for old, new in (
        (b"LIMIT = 3", b"LIMIT = 4"),
        (b"size = 2", b"size = 5"),
        (b"@staticmethod\n", b""),
        (b"def area(width, height)", b"def area(width, height=1)"),
    ):
        changed = skeleton(BEFORE.replace(old, new))
        assert changed is not None
        assert changed.digest != before.digest, new


def test_a_file_that_does_not_parse_has_no_skeleton() -> None:
    """No skeleton: the planner treats any change to it as module-level (a full run)."""
    assert skeleton(b"def broken(:\n") is None
