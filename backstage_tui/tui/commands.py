"""The command palette's entries for the console's own keys, made from the bindings in force.

One entry per action the screen's keys run now: named by the binding's description (what the
footer says), explained by its tooltip, with the keys that run it as the footer writes them after
the user's keymap. Choosing one runs the same action, on the same node, as pressing its key, so the
palette and the keys cannot offer different things.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import Any

from textual.app import SystemCommand
from textual.dom import DOMNode
from textual.markup import escape
from textual.screen import Screen

from .keys import HINT_SEPARATOR, BoundKeys, bindings_in_force


def binding_commands(screen: Screen[Any]) -> Iterator[SystemCommand]:
    """The palette entries for the keys `screen` answers to now (the screen it was opened on).

    Bindings that run one action (``G`` and ``esc`` both tail the feed) make one entry.
    """
    by_action: dict[tuple[DOMNode, str], list[BoundKeys]] = {}
    for bound in bindings_in_force(screen):
        by_action.setdefault((bound.node, bound.binding.action), []).append(bound)
    for (node, action), group in by_action.items():
        first = group[0].binding
        keys = HINT_SEPARATOR.join(key for bound in group for key in bound.keys)
        # Text of our own (descriptions, tooltips) and the key names of the user's config, which
        # the palette reads as markup: escaped, so a bracket in a key name stays a bracket.
        title = escape(first.description or group[0].explanation)
        explanation = escape(f"{group[0].explanation} ({keys})")
        run = partial(screen.app.run_action, action, node)
        yield SystemCommand(title, explanation, run)  # safe-markup: ours and key names, escaped
