"""A module's skeleton: equal when only function bodies changed, different otherwise."""

from __future__ import annotations

from qualitykit.incremental.skeleton import changed_bodies, shifts, skeleton

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


def test_a_grown_body_is_the_one_changed_and_every_other_line_moves_with_it() -> None:
    """Two lines more in area(): only its text differs; the lines below it move by two."""
    after = BEFORE.replace(
        b"    return width * height",
        b"    product = width * height\n    product += 0\n    return product",
    )
    before, now = skeleton(BEFORE), skeleton(after)
    assert before is not None
    assert now is not None
    assert before.names == ("area", "Box.volume")
    assert changed_bodies(before, now) == [0]
    # Lines 1-7 stay, area's body (8-9) has no place, everything after it moves by two.
    assert shifts(before, now) == ((1, 7, 0), (10, 15, 2), (16, 16, 2), (17, 1 << 30, 2))
    lines = BEFORE.decode().splitlines()
    moved = after.decode().splitlines()
    for first, last, delta in shifts(before, now) or ():
        for line in range(first, min(last, len(lines)) + 1):
            assert moved[line + delta - 1] == lines[line - 1], line


def test_lines_moved_outside_the_bodies_leave_no_place_for_the_old_lines() -> None:
    """A blank line between two functions, or a comment moved above a constant: same
    skeleton, another layout. The planner then reruns every test of the file."""
    before = skeleton(BEFORE)
    assert before is not None
    for old, new in (
        (b"class Box:", b"\nclass Box:"),
        (b'"""Doc."""\n\nLIMIT', b'"""Doc."""\nLIMIT'),
    ):
        changed = skeleton(BEFORE.replace(old, new))
        assert changed is not None
        assert changed.digest == before.digest, new
        assert shifts(before, changed) is None, new


def test_a_body_edited_in_place_moves_nothing() -> None:
    """The benchmark's kind of edit, a line changed where it is: no line moves."""
    before = skeleton(BEFORE)
    now = skeleton(BEFORE.replace(b"self.size ** 3", b"self.size ** 2"))
    assert before is not None
    assert now is not None
    assert changed_bodies(before, now) == [1]
    moved = shifts(before, now)
    assert moved is not None
    assert all(delta == 0 for _, _, delta in moved)
    assert not any(first <= 16 <= last for first, last, _ in moved)
