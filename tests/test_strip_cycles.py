"""A strip the compositor divides is freed by reference counting (tui/strip_cycles.py)."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

from backstage_tui.tui import strip_cycles


def _refers_back(start: object) -> bool:
    """Whether anything `start` refers to, however indirectly, refers to `start` again."""
    seen: set[int] = set()
    todo = list(gc.get_referents(start))
    while todo:
        item = todo.pop()
        if item is start:
            return True
        if id(item) in seen:
            continue
        seen.add(id(item))
        todo.extend(gc.get_referents(item))
    return False


def _strip() -> Strip:
    return Strip([Segment("hello ", Style(bold=True)), Segment("world")], 11)


@pytest.fixture
def textual_divide() -> Iterator[None]:
    strip_cycles.uninstall()
    yield
    strip_cycles.install()


@pytest.mark.usefixtures("textual_divide")
def test_textual_alone_keeps_a_strip_divided_at_its_end_in_a_cycle() -> None:
    """Why the module exists: should an upgrade of Textual stop caching `[self]`, this fails and
    the module can go."""
    strip = _strip()
    assert strip.divide([11]) == [strip]
    assert _refers_back(strip)


def test_installed_a_strip_divided_at_its_end_refers_to_nothing_that_refers_back() -> None:
    strip_cycles.install()
    strip = _strip()
    assert strip.divide([11]) == [strip]
    assert strip.divide(iter([11, 40])) == [strip]  # cuts past the end are dropped, as Textual does
    assert not _refers_back(strip)


def test_installed_other_cuts_are_textuals_own() -> None:
    strip_cycles.install()
    strip = _strip()
    parts = strip.divide([3, 11])
    assert [part.text for part in parts] == ["hel", "lo world"]
    assert [part.cell_length for part in parts] == [3, 8]
    assert strip.divide(iter([3, 11])) is parts  # still cached by Textual


def test_install_twice_keeps_one_wrapper() -> None:
    strip_cycles.install()
    once = Strip.divide
    strip_cycles.install()
    assert Strip.divide is once
