"""`PollForm`: the poll to run in chat (a question, 2 to 6 options, an optional duration).

`tab` / `shift+tab` move between the fields (Textual's focus chain); `enter` in any field starts
the poll once the form is valid, else the form says what is missing, in the form; `escape` drops
it. What makes a form valid is `check_draft`, a plain function the tests call directly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, Static

from ..events import POLL_MAX_OPTIONS, POLL_MIN_OPTIONS
from ..safetext import display
from ..state.polls import number_vote, vote_key
from .dialog import Dialog
from .keys import key_hint

MAX_QUESTION = 120
MAX_OPTION = 40
MAX_DURATION_S = 24 * 3600
_DURATION = re.compile(r"^(?:(?P<h>\d+)\s*h)?\s*(?:(?P<m>\d+)\s*m(?:in)?)?\s*(?:(?P<s>\d+)\s*s?)?$")
_CLOCK = re.compile(r"^(?P<m>\d+):(?P<s>[0-5]\d)$")


@dataclass(frozen=True)
class PollDraft:
    """A valid form: what `PollStart` is made of."""

    question: str
    options: tuple[str, ...]
    duration_s: float | None


def parse_duration(text: str) -> float | None:
    """``90``, ``90s``, ``2m``, ``2 min``, ``1m30s``, ``1:30``, ``1h`` in seconds; ``""``: None.

    Raises:
        ValueError: with what is wrong, in words for the form.
    """
    text = text.strip().lower()
    if not text:
        return None
    found = _CLOCK.match(text) or _DURATION.match(text)
    if found is None or not any(found.groupdict().values()):
        raise ValueError("the duration reads like 90, 2m, 1m30s or 1:30 (empty: until closed)")
    parts = {k: int(v or 0) for k, v in found.groupdict().items()}
    seconds = parts.get("h", 0) * 3600 + parts["m"] * 60 + parts["s"]
    if not 0 < seconds <= MAX_DURATION_S:
        raise ValueError("the duration is more than 0 and at most 24 h (empty: until closed)")
    return float(seconds)


def check_draft(question: str, options: list[str], duration: str) -> PollDraft | str:
    """The poll the form describes, or what is wrong with it (one line for the form)."""
    question = question.strip()
    if not question:
        return "Write the question."
    if len(question) > MAX_QUESTION:
        return f"The question is too long ({len(question)} characters; {MAX_QUESTION} at most)."
    filled = [(n, option.strip()) for n, option in enumerate(options, 1) if option.strip()]
    if len(filled) < POLL_MIN_OPTIONS:
        missing = POLL_MIN_OPTIONS - len(filled)
        return f"Write {POLL_MIN_OPTIONS} options at least ({missing} more)."
    seen: dict[str, int] = {}
    for n, option in filled:
        if len(option) > MAX_OPTION:
            return f"Option {n} is too long ({MAX_OPTION} characters at most)."
        if number_vote(option) is not None:
            return (
                f"Option {n} is a number, which the chat uses to vote by place: write it in words."
            )
        key = vote_key(option)
        if key and key in seen:
            return f"Options {seen[key]} and {n} read the same to the chat: make them differ."
        seen.setdefault(key, n)
    try:
        seconds = parse_duration(duration)
    except ValueError as exc:
        return str(exc).capitalize() + "."
    return PollDraft(question, tuple(option for _, option in filled), seconds)


class PollForm(Dialog[PollDraft | None]):
    """The poll form; dismisses with a `PollDraft`, or None when cancelled."""

    DEFAULT_CSS = """
    PollForm > #dialog { width: 70; }
    PollForm .field { height: 1; margin-bottom: 0; }
    PollForm .field > Label { width: 11; color: $text-muted; }
    PollForm .field > Input { width: 1fr; }
    PollForm #poll-problem { color: $error; text-style: bold; height: auto; margin-top: 1; }
    PollForm #keys { margin-top: 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        # priority: checked before the focused input, which would otherwise keep the key.
        Binding("escape", "cancel", "Cancel", id="poll.cancel", priority=True,
                tooltip="Drop the poll form without starting a poll"),
        # priority: the focus moves as the key arrives, so what is typed right after it (a fast
        # typist, a paste of keys) goes into the next field, not the one being left.
        Binding("tab", "next_field", "Next field", id="poll.next_field", priority=True,
                show=False, tooltip="Move to the next field of the poll form"),
        Binding("shift+tab", "previous_field", "Previous field", id="poll.previous_field",
                priority=True, show=False, tooltip="Move to the previous field of the poll form"),
    ]  # fmt: skip

    def __init__(self, replacing: str = "") -> None:
        super().__init__()
        self.replacing = replacing
        """The question of the poll running now, which starting this one closes ("" for none)."""

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(Text("Start a poll in chat"), id="question")
            with Horizontal(classes="field"):
                yield Label(Text("Question"))
                yield Input(placeholder="what do you ask the chat?", max_length=MAX_QUESTION,
                            compact=True, id="poll-question")  # fmt: skip
            for n in range(1, POLL_MAX_OPTIONS + 1):
                hint = "" if n <= POLL_MIN_OPTIONS else " (optional)"
                with Horizontal(classes="field"):
                    yield Label(Text(f"Option {n}"))
                    yield Input(placeholder=f"viewers type {n} or its text{hint}",
                                max_length=MAX_OPTION, compact=True, id=f"poll-option-{n}")  # fmt: skip
            with Horizontal(classes="field"):
                yield Label(Text("Duration"))
                yield Input(placeholder="90, 2m, 1m30s (empty: until you close it)",
                            max_length=20, compact=True, id="poll-duration")  # fmt: skip
            if self.replacing:
                running = display(self.replacing, MAX_QUESTION)
                yield Static(Text(f"Starting it closes the poll running now: {running}",
                                  style="dim"))  # fmt: skip
            yield Static("", id="poll-problem", markup=False)
            cancel = key_hint(self, "poll.cancel")
            tab = key_hint(self, "poll.next_field")
            line = (f"{tab}: next field     " if tab else "") + "enter: start the poll"
            yield Static(Text(line + (f"     {cancel}: cancel" if cancel else ""), style="dim"),
                         id="keys")  # fmt: skip

    def _value(self, selector: str) -> str:
        return self.query_one(selector, Input).value

    def draft(self) -> PollDraft | str:
        options = [self._value(f"#poll-option-{n}") for n in range(1, POLL_MAX_OPTIONS + 1)]
        return check_draft(self._value("#poll-question"), options, self._value("#poll-duration"))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        draft = self.draft()
        if isinstance(draft, PollDraft):
            self.dismiss(draft)
        else:
            self.query_one("#poll-problem", Static).update(Text(draft))

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_next_field(self) -> None:
        self.focus_next()

    def action_previous_field(self) -> None:
        self.focus_previous()
