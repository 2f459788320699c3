"""The one interface every chat source implements.

A source declares what it is as data (name, an `Options` model, capabilities) so the command line,
``backstage sources`` and the session header are all built from the same declaration, and yields
events from `events()` (or, in the groups they arrive in, from `batches()`).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any, ClassVar, Self

from pydantic import ValidationError

from ..events import ActionEvent, Event
from .options import (
    SourceOptions,
    first_unknown,
    public_values,
    unknown_message,
    validation_message,
)


class SourceError(Exception):
    """A source cannot start or go on (bad option, unreachable, unreadable); the message is shown
    to the user as one line, so it should say what to do."""


class Source(ABC):
    """A stream of chat events. Subclasses set the class attributes and implement `events`.

    Options: subclass `SourceOptions` (one field per option, each with a ``description``), set it
    as the class's `Options`, and narrow the instance attribute to it (``options: MyOptions``).
    """

    name: ClassVar[str]
    description: ClassVar[str] = ""
    Options: ClassVar[type[SourceOptions]] = SourceOptions
    """The source's options, declared once: validation, ``backstage sources`` and the log header."""
    capabilities: ClassVar[frozenset[str]] = frozenset()
    """What `act` can do on the platform, by action type (e.g. ``{"hide"}``); empty: local only.
    A source whose options unlock more sets its own `capabilities` when it is made."""
    capabilities_with_options: ClassVar[Mapping[str, str]] = {}
    """What `act` can do only with certain options, and which: ``{"say": "session_id"}``; shown by
    ``backstage sources``."""
    records: ClassVar[bool] = True
    """Whether a session on this source is recorded; a replay is not recorded again."""

    options: SourceOptions
    """The validated options, an instance of `Options`."""

    def __init__(self, **values: Any) -> None:
        """Validate `values` (strings or typed values) against `Options`.

        Raises `SourceError` with a one-line message for an unknown, missing or bad option.
        """
        try:
            self.options = self.Options.model_validate(values)
        except ValidationError as exc:
            raise SourceError(validation_message(self.name, self.Options, exc)) from None

    @classmethod
    def from_strings(cls, raw: Mapping[str, str]) -> Self:
        """Build from ``key=value`` strings (the command line's ``--option``), checking each
        against `Options`; raises `SourceError` with a one-line message."""
        unknown = first_unknown(cls.Options, raw)
        if unknown is not None:
            raise SourceError(unknown_message(cls.name, cls.Options, unknown))
        return cls(**raw)

    @property
    def config(self) -> dict[str, object]:
        """The options as the session header records them: JSON values, secrets masked."""
        return public_values(self.options)

    @abstractmethod
    def events(self) -> AsyncIterator[Event]:
        """The events as they arrive. Ends when the stream ends; raises `SourceError` when it
        cannot go on."""

    async def batches(self) -> AsyncIterator[Sequence[Event]]:
        """The events in the groups they arrive in: what the session reads. One at a time from
        `events` by default; a source that reads many at once (the lines of one read) yields them
        together, and the bus takes them in one go."""
        async for event in self.events():
            yield (event,)

    async def act(self, action: ActionEvent) -> bool:
        """Perform `action` on the platform when `capabilities` allow; True when it was forwarded."""
        return False

    def observe(self, action: ActionEvent) -> None:
        """An action the console took, once recorded: for a source that plays an audience (the
        demo's viewers vote in the console's poll). Nothing by default; never forwards anything."""
        return None

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
