"""The one interface every chat source implements.

A source declares what it is as data (name, options, capabilities) so the command line, the config
file and the UI are all built from the same declaration, and yields events from `events()`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from ..events import ActionEvent, Event


class SourceError(Exception):
    """A source cannot start or go on (bad option, unreachable, unreadable); the message is shown
    to the user as one line, so it should say what to do."""


def parse_bool(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"expected true or false, got {value!r}")


def parse_speed(value: str) -> float:
    """A replay speed: a positive number, or ``max`` for as fast as possible."""
    if value.strip().lower() == "max":
        return float("inf")
    speed = float(value)
    if not speed > 0:
        raise ValueError(f"speed must be above 0 or 'max', got {value!r}")
    return speed


def parse_positive_float(value: str) -> float:
    number = float(value)
    if not number > 0:
        raise ValueError(f"expected a number above 0, got {value!r}")
    return number


def parse_seconds(value: str) -> float:
    """A duration in seconds, 0 or more (0 usually turns the thing off)."""
    number = float(value)
    if not 0 <= number < float("inf"):
        raise ValueError(f"expected a number of seconds, 0 or more, got {value!r}")
    return number


def parse_count(value: str) -> int:
    number = int(value)
    if number < 0:
        raise ValueError(f"expected a whole number of 0 or more, got {value!r}")
    return number


@dataclass(frozen=True)
class SourceOption:
    """One option a source takes, e.g. ``--option rate=20``."""

    name: str
    help: str
    parse: Callable[[str], Any] = str
    default: Any = None
    required: bool = False


class Source(ABC):
    """A stream of chat events. Subclasses set the class attributes and implement `events`."""

    name: ClassVar[str]
    description: ClassVar[str] = ""
    options: ClassVar[tuple[SourceOption, ...]] = ()
    capabilities: ClassVar[frozenset[str]] = frozenset()
    """What `act` can do on the platform, by action type (e.g. ``{"hide"}``); empty: local only."""
    records: ClassVar[bool] = True
    """Whether a session on this source is recorded; a replay is not recorded again."""

    def __init__(self, **options: Any) -> None:
        self.config: dict[str, Any] = {opt.name: opt.default for opt in self.options}
        self.config.update(options)

    @classmethod
    def from_strings(cls, raw: Mapping[str, str]) -> Source:
        """Build from ``key=value`` strings, checking each against the declared options.

        Raises `SourceError` with a one-line message for an unknown, missing or bad option.
        """
        known = {opt.name: opt for opt in cls.options}
        values: dict[str, Any] = {}
        for key, text in raw.items():
            opt = known.get(key)
            if opt is None:
                names = ", ".join(known) or "none"
                raise SourceError(f"source {cls.name!r} has no option {key!r} (options: {names})")
            try:
                values[key] = opt.parse(text)
            except ValueError as exc:
                raise SourceError(f"option {key}={text!r} for source {cls.name!r}: {exc}") from None
        missing = [opt.name for opt in cls.options if opt.required and opt.name not in values]
        if missing:
            raise SourceError(f"source {cls.name!r} needs option {missing[0]}=...")
        return cls(**values)

    @abstractmethod
    def events(self) -> AsyncIterator[Event]:
        """The events as they arrive. Ends when the stream ends; raises `SourceError` when it
        cannot go on."""

    async def act(self, action: ActionEvent) -> bool:
        """Perform `action` on the platform when `capabilities` allow; True when it was forwarded."""
        return False

    def describe(self) -> str:
        """A short label for the status pane."""
        return self.name

    @property
    def reads_stdin(self) -> bool:
        """Whether the events come through standard input. The source has then taken its own copy
        of the pipe, and the caller points file descriptor 0 at the terminal for the keyboard."""
        return False

    def problems(self) -> Sequence[str]:
        """What the source found damaged in its input and passed over without an event (a torn
        line in a saved log), oldest first, one line each; shown at the end of the session.
        Input that becomes a `Malformed` event is not listed here: it is already on the record."""
        return ()
