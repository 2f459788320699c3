"""The private Textual attributes the app relies on are still there (tui/textual_internals.py).

An upgrade that renames one fails here, by name, instead of slowing a live stream; and should one
go missing anyway, the guards step aside rather than raise.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.app import App
from textual.screen import Screen
from textual.widget import Widget

from backstage_tui.tui import textual_internals
from backstage_tui.tui.textual_internals import (
    APP_BATCH_COUNT,
    APP_DRIVER,
    RELIED_ON,
    SCREEN_COMPOSE,
    SCREEN_DIRTY_WIDGETS,
    WIDGET_REPAINT_REQUIRED,
    WIDGET_SCROLL_UPDATE,
    in_batch,
    paint_now,
)


def test_only_the_guard_module_reads_them() -> None:
    """The rest of the UI goes through the guards, so the list above is the whole exposure."""
    names = {name for _, name in RELIED_ON}
    assert names == {
        APP_BATCH_COUNT,
        SCREEN_DIRTY_WIDGETS,
        SCREEN_COMPOSE,
        WIDGET_REPAINT_REQUIRED,
        WIDGET_SCROLL_UPDATE,
        APP_DRIVER,
    }
    guard = Path(textual_internals.__file__)
    for module in guard.parent.glob("*.py"):
        if module != guard:
            text = module.read_text(encoding="utf-8")
            assert not [name for name in names if name in text], (
                f"{module.name} reads them directly"
            )


@pytest.mark.parametrize(
    ("owner", "name"), RELIED_ON, ids=lambda item: getattr(item, "__name__", item)
)
def test_the_installed_textual_still_has_it(owner: type, name: str) -> None:
    instance: Any = owner()
    assert hasattr(instance, name), f"Textual's {owner.__name__} has no {name} any more"


def test_their_kinds_are_what_the_app_expects() -> None:
    app: App[None] = App()
    assert isinstance(getattr(app, APP_BATCH_COUNT), int) and not in_batch(app)
    with app.batch_update():
        assert in_batch(app)
    screen: Screen[None] = Screen()
    assert isinstance(getattr(screen, SCREEN_DIRTY_WIDGETS), set)
    assert callable(getattr(screen, SCREEN_COMPOSE))
    assert getattr(Widget(), WIDGET_REPAINT_REQUIRED) is False


class Stranger:
    """A stand-in for a future Textual whose screens and app have other internals."""

    display = True


def test_without_the_attributes_the_fast_path_stands_aside() -> None:
    assert in_batch(Stranger())  # type: ignore[arg-type]
    widget = Stranger()
    assert paint_now(Stranger(), [widget]) is False  # type: ignore[arg-type,list-item]
    assert not hasattr(widget, WIDGET_REPAINT_REQUIRED)


def test_paint_now_hands_only_the_waiting_widgets_to_the_screen() -> None:
    composed: list[set[object]] = []

    class FakeScreen:
        def __init__(self) -> None:
            setattr(self, SCREEN_DIRTY_WIDGETS, set())
            setattr(
                self,
                SCREEN_COMPOSE,
                lambda: composed.append(set(getattr(self, SCREEN_DIRTY_WIDGETS))),
            )

    waiting, painted, hidden = Stranger(), Stranger(), Stranger()
    setattr(waiting, WIDGET_REPAINT_REQUIRED, True)
    setattr(painted, WIDGET_REPAINT_REQUIRED, False)
    setattr(hidden, WIDGET_REPAINT_REQUIRED, True)
    hidden.display = False
    assert paint_now(FakeScreen(), [waiting, painted, hidden]) is True  # type: ignore[arg-type,list-item]
    assert composed == [{waiting}]
    assert getattr(waiting, WIDGET_REPAINT_REQUIRED) is False  # handed over, as the relay would
    assert getattr(hidden, WIDGET_REPAINT_REQUIRED) is True

    composed.clear()
    assert paint_now(FakeScreen(), [painted]) is True  # type: ignore[arg-type,list-item]
    assert composed == []  # nothing waited: no compose


def test_without_scroll_update_the_virtual_size_is_left_to_the_caller() -> None:
    from textual.geometry import Size

    from backstage_tui.tui.textual_internals import set_virtual_size_quietly

    assert set_virtual_size_quietly(Stranger(), Size(10, 10)) is False  # type: ignore[arg-type]
