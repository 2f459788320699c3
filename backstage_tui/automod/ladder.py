"""The escalation ladder: what a user's repeat offences lead to, one rung per offence.

Written in the config as a list of rungs, the first offence's first:
``["hide", "mute:60", "mute:600", "block"]`` (the default): the first offence only hides the message,
the second also mutes the user for a minute, the third for ten minutes, and every later one blocks
them. A rung is ``hide``, ``mute:SECONDS``, ``mute`` (for the rest of the live) or ``block``; past
the last rung the last one repeats.

An offence is a message a rule hid, or a held message a moderator denied; a flag is no offence.
Pure: no events, no clock. The engine turns a rung into the moderation actions it stands for.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

RungKind = Literal["hide", "mute", "block"]
DEFAULT_LADDER: tuple[str, ...] = ("hide", "mute:60", "mute:600", "block")
MAX_MUTE_S = 7 * 24 * 3600.0


@dataclass(frozen=True, slots=True)
class Rung:
    kind: RungKind
    duration_s: float | None = None
    """How long a mute lasts, in session seconds; None: for the rest of the live."""

    def __str__(self) -> str:
        if self.kind == "mute" and self.duration_s is not None:
            return f"mute:{self.duration_s:g}"
        return self.kind


def parse_rung(text: str) -> Rung:
    """One rung from its config form; `ValueError` says what is wrong with it."""
    kind, _, argument = text.strip().partition(":")
    kind = kind.strip()
    if kind in ("hide", "block") and not argument:
        return Rung(kind)  # type: ignore[arg-type]
    if kind == "mute":
        if not argument.strip():
            return Rung("mute")
        try:
            seconds = float(argument)
        except ValueError:
            raise ValueError(f"{text!r}: the mute's length is not a number of seconds") from None
        if not 0 < seconds <= MAX_MUTE_S:
            raise ValueError(f"{text!r}: a mute lasts between 1 second and a week")
        return Rung("mute", seconds)
    raise ValueError(f"{text!r} is not hide, mute:SECONDS, mute or block")


@dataclass(frozen=True, slots=True)
class Ladder:
    rungs: tuple[Rung, ...]

    @classmethod
    def parse(cls, texts: list[str] | tuple[str, ...]) -> Ladder:
        """The ladder from its config form; `ValueError` names the first bad rung."""
        return cls(tuple(parse_rung(text) for text in texts))

    def rung(self, offence: int) -> Rung | None:
        """The rung for a user's `offence`-th offence (1 for the first); None on an empty ladder."""
        if not self.rungs or offence < 1:
            return None
        return self.rungs[min(offence, len(self.rungs)) - 1]
