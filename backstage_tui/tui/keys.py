"""The keys in force: every binding with an id, after the user's keymap, written as the footer does.

Textual applies the keymap (`App.set_keymap`) each time it builds a screen's binding chain, so
`Screen.active_bindings` is the one truth about what a key does now, and `App.get_key_display` is
how the footer writes a key. The help screen, the command palette, the dialogs' key lines and the
toasts that name a key all read from here, so none of them can drift from the keymap.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, NamedTuple
from weakref import WeakKeyDictionary

from textual.app import App
from textual.binding import Binding
from textual.dom import DOMNode
from textual.screen import Screen

PACKAGE = __package__ or "backstage_tui.tui"
"""Bindings declared by classes in this package are the console's own (the ids a keymap may name)."""
HINT_SEPARATOR = "/"


@dataclass(frozen=True)
class BoundKeys:
    """One binding id in force on a screen: whose it is, and every key that runs it now."""

    node: DOMNode
    """The app, screen or widget whose action the keys run."""
    binding: Binding
    """The binding of the first key (its id, action, description and tooltip)."""
    keys: tuple[str, ...]
    """How each key is written, the footer's way first."""

    @property
    def hint(self) -> str:
        """The keys as one short label, e.g. ``k/↑``."""
        return HINT_SEPARATOR.join(self.keys)

    @property
    def explanation(self) -> str:
        """What the keys do, in a sentence: the tooltip, else the footer's description."""
        return self.binding.tooltip or self.binding.description


@cache
def declared_bindings(node_type: type[DOMNode]) -> dict[str, Binding]:
    """The bindings with an id that a class declares, by id, its bases' first (Textual's order)."""
    found: dict[str, Binding] = {}
    for cls in reversed(node_type.__mro__):
        for binding in cls.__dict__.get("BINDINGS", ()):
            if isinstance(binding, Binding) and binding.id:
                found[binding.id] = binding
    return found


class Declared(NamedTuple):
    """A binding as a class declares it, before any keymap."""

    owner: type[DOMNode]
    binding: Binding


def console_declarations() -> Iterator[Declared]:
    """Every binding declared by the console's app, screens and widgets (with an id or not).

    Found by walking Textual's node classes, so a new widget's bindings count without being listed
    anywhere; a class counts once its module is imported, which `tui.app` does for all it shows.
    """
    pending: list[type[DOMNode]] = [DOMNode]
    while pending:
        cls = pending.pop(0)
        pending.extend(cls.__subclasses__())
        if cls.__module__.startswith(f"{PACKAGE}."):
            for binding in cls.__dict__.get("BINDINGS", ()):
                if isinstance(binding, Binding):
                    yield Declared(cls, binding)


def console_bindings() -> dict[str, Declared]:
    """The console's bindings that have an id (the ids a keymap may name), by id."""
    found: dict[str, Declared] = {}
    for declared in console_declarations():
        if declared.binding.id:
            found.setdefault(declared.binding.id, declared)
    return found


def unknown_ids_warning(keymap: Mapping[str, str]) -> str | None:
    """One line naming the keymap's ids that no binding has (a typo does nothing), or None."""
    known = console_bindings()
    unknown = [binding_id for binding_id in keymap if binding_id not in known]
    if not unknown:
        return None
    names = ", ".join(f'"{binding_id}"' for binding_id in unknown)
    return (
        f"[keys]: no binding is called {names} (ignored); "
        f"the binding ids are {', '.join(sorted(known))}"
    )


def bindings_in_force(screen: Screen[Any]) -> list[BoundKeys]:
    """The bindings with an id that `screen` answers to now, the focused widget's first.

    Within a node the bindings keep their declaration order, and a binding's keys the order of its
    declaration or of the user's keymap, whatever order the keymap left Textual's key table in.
    """
    app = screen.app
    grouped: dict[tuple[DOMNode, str], list[Binding]] = {}
    for active in screen.active_bindings.values():
        if active.binding.id:
            grouped.setdefault((active.node, active.binding.id), []).append(active.binding)
    node_rank: dict[DOMNode, int] = {}
    for node, _ in grouped:
        node_rank.setdefault(node, len(node_rank))
    found: list[tuple[tuple[int, int], BoundKeys]] = []
    for (node, binding_id), bindings in grouped.items():
        declared = declared_bindings(type(node))
        order = list(declared)
        default = declared.get(binding_id)
        default_keys = [key.strip() for key in default.key.split(",")] if default else []
        if all(binding.key in default_keys for binding in bindings):
            # Not remapped: the declared order. (A base class binding the same key puts it first
            # in Textual's table: ScrollView's "up" before our "k".) A keymap's keys are already
            # in the keymap's order.
            bindings.sort(key=lambda binding: default_keys.index(binding.key))
        rank = order.index(binding_id) if binding_id in order else len(order)
        bound = BoundKeys(node, bindings[0], written_keys(app, bindings))
        found.append(((node_rank[node], rank), bound))
    found.sort(key=lambda item: item[0])
    return [bound for _, bound in found]


def written_keys(app: App[Any], bindings: list[Binding]) -> tuple[str, ...]:
    """Each key of one binding as the app writes it: the first as the footer does
    (`App.get_key_display`), the others without the declared display, which names only the first
    (``k`` for ``k,up``), so each shows as itself."""
    keys = [app.get_key_display(bindings[0])]
    for binding in bindings:
        written = app.get_key_display(binding.with_key(binding.key, key_display=None))
        if written not in keys:
            keys.append(written)
    return tuple(keys)


def find_bound(screen: Screen[Any], binding_id: str) -> BoundKeys | None:
    """The binding `binding_id` as it is in force on `screen`, or None when no key runs it there."""
    return next((b for b in bindings_in_force(screen) if b.binding.id == binding_id), None)


def key_hint(screen: Screen[Any], binding_id: str) -> str | None:
    """The keys that run `binding_id` on `screen` now, e.g. ``k/↑``; None when no key does."""
    bound = find_bound(screen, binding_id)
    return bound.hint if bound else None


class KeyHints:
    """`find_bound` and `key_hint` for a caller that asks on every frame or many times a second
    (the Status pane, the Pinned pane's hint): each screen's answers are kept until that screen
    says its bindings changed (focus moved, the keymap or a binding's state changed), the only
    time `active_bindings` could answer otherwise. Working them out walks the whole binding
    chain, which showed in the flood's frame time."""

    def __init__(self, owner: DOMNode) -> None:
        self._owner = owner
        """The node the screens' signal calls back (it must be running)."""
        self._by_screen: WeakKeyDictionary[Screen[Any], dict[str, BoundKeys | None]] = (
            WeakKeyDictionary()
        )

    def bound(self, screen: Screen[Any], binding_id: str) -> BoundKeys | None:
        """`find_bound(screen, binding_id)`, kept."""
        found = self._by_screen.get(screen)
        if found is None:
            found = self._by_screen[screen] = {}
            screen.bindings_updated_signal.subscribe(
                self._owner, lambda _screen: found.clear(), immediate=True
            )
        if binding_id not in found:
            found[binding_id] = find_bound(screen, binding_id)
        return found[binding_id]

    def get(self, screen: Screen[Any], binding_id: str) -> str | None:
        """`key_hint(screen, binding_id)`, kept."""
        bound = self.bound(screen, binding_id)
        return bound.hint if bound else None


def with_keys(text: str, screen: Screen[Any], binding_id: str, verb: str = "") -> str:
    """`text` and the keys that run `binding_id` now: ``with_keys("already pinned", s, "app.unpin",
    "unpins")`` is ``"already pinned (P unpins)"``; just `text` when no key runs it."""
    hint = key_hint(screen, binding_id)
    if hint is None:
        return text
    return f"{text} ({hint} {verb})" if verb else f"{text} ({hint})"


def by_node(bound: list[BoundKeys]) -> Iterator[tuple[DOMNode, list[BoundKeys]]]:
    """`bound` split into runs that belong to one node, in order."""
    run: list[BoundKeys] = []
    for item in bound:
        if run and item.node is not run[0].node:
            yield run[0].node, run
            run = []
        run.append(item)
    if run:
        yield run[0].node, run
