"""``python tools/make_sample.py``: the sample session that ships in ``sessions/sample.jsonl``.

A few minutes of the demo source (seed, rate and start fixed, so the stream is the same on every
machine), recorded by the real runtime and recorder with the default auto-moderation rules on, and
a moderator's scripted work published through the runtime (`SessionRuntime.act`) at set points of
the stream: pins and an unpin, a poll that viewers vote in, questions marked answered and one
answered in chat, a hide, a mute and its undo, a block, a highlight, a shout-out, a note.

The demo's viewers do not vote by themselves: during the poll, some of them type an option's number
(scripted comments, from viewers of the stream). The events have the simulation's times, not the
wall clock's, so the tool runs in seconds. The rules' decisions and the moderator's actions carry
ids of their own (``sample-...`` for the script's); the rest of the file is the same on every run.

    python tools/make_sample.py                  # writes sessions/sample.jsonl
    python tools/make_sample.py -o other.jsonl   # somewhere else
"""

from __future__ import annotations

import argparse
import asyncio
import random
import shutil
import sys
import tempfile
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from backstage_tui.automod.engine import AutomodEngine
from backstage_tui.automod.settings import AutomodSettings
from backstage_tui.events import (
    ActionEvent,
    Block,
    Comment,
    Event,
    Hide,
    Highlight,
    MarkDone,
    Mute,
    Note,
    Pin,
    PollClose,
    PollStart,
    Question,
    Say,
    Shoutout,
    Undo,
    Unpin,
)
from backstage_tui.runtime import SessionRuntime
from backstage_tui.session import SessionReader
from backstage_tui.sources.demo import DemoSource

SEED = 2026
RATE = 6.0
"""Events a second of session time."""
COUNT = 1500
"""Demo events: about four minutes at `RATE`."""
START = datetime(2026, 1, 9, 19, 30, tzinfo=UTC)
"""When the sample live starts (a Friday evening)."""
OUTPUT = Path(__file__).resolve().parents[1] / "sessions" / "sample.jsonl"
POLL_OPTIONS = ("Levitating", "Flowers", "Espresso")
VOTES_FROM, VOTES_TO, VOTE_EVERY = 160, 560, 5
"""During the poll, a viewer of the stream votes every `VOTE_EVERY` demo events."""


class Script:
    """What the moderator does, by demo event number: each step builds its action from what the
    stream has shown so far (the latest comment, question, ...), or None when it cannot."""

    def __init__(self) -> None:
        self.comments: list[Comment] = []
        self.questions: list[Question] = []
        self.done: dict[str, ActionEvent] = {}
        self.steps: dict[int, tuple[str, Callable[[float], ActionEvent | None]]] = {
            60: ("pin-question", self._pin_question),
            150: ("poll", self._poll),
            220: ("hide", self._hide),
            300: ("mute", self._mute),
            360: ("answered-1", self._answered),
            380: ("say", self._say),
            480: ("highlight", self._highlight),
            600: ("poll-close", self._poll_close),
            700: ("pin-comment", self._pin_comment),
            760: ("unpin", self._unpin),
            880: ("block", self._block),
            960: ("note", self._note),
            1040: ("undo-mute", self._undo_mute),
            1160: ("answered-2", self._answered),
            1300: ("shoutout", self._shoutout),
        }

    def seen(self, event: Event) -> None:
        if isinstance(event, Question):
            self.questions.append(event)
        elif isinstance(event, Comment):
            self.comments.append(event)

    def action(self, n: int, ts: float) -> ActionEvent | None:
        step = self.steps.get(n)
        if step is None:
            return None
        name, build = step
        action = build(ts)
        if action is not None:
            action = action.model_copy(update={"id": f"sample-{name}", "ts": ts})
            self.done[name] = action
        return action

    def _pin_question(self, ts: float) -> ActionEvent | None:
        question = self.questions[-1]
        return Pin(target=question.id, user=question.user, text=question.text, question=True)

    def _pin_comment(self, ts: float) -> ActionEvent | None:
        comment = self.comments[-1]
        return Pin(target=comment.id, user=comment.user, text=comment.text)

    def _unpin(self, ts: float) -> ActionEvent | None:
        pinned = self.done["pin-question"]
        assert isinstance(pinned, Pin)
        return Unpin(target=pinned.target)

    def _poll(self, ts: float) -> ActionEvent | None:
        return PollStart(poll_id="sample-poll", question="Which song next?", options=POLL_OPTIONS)

    def _poll_close(self, ts: float) -> ActionEvent | None:
        return PollClose(poll_id="sample-poll")

    def _hide(self, ts: float) -> ActionEvent | None:
        comment = self.comments[-1]
        return Hide(target=comment.id, user=comment.user, reason="spam")

    def _mute(self, ts: float) -> ActionEvent | None:
        comment = self.comments[-1]
        return Mute(user=comment.user, target=comment.id, duration_s=300, reason="harassment")

    def _undo_mute(self, ts: float) -> ActionEvent | None:
        return Undo(action="sample-mute")

    def _answered(self, ts: float) -> ActionEvent | None:
        question = self.questions[-1]
        return MarkDone(kind="question", target=question.id)

    def _say(self, ts: float) -> ActionEvent | None:
        question = self.questions[-1]
        return Say(text="Great question! Next song after this one.", target=question.id,
                   user=question.user)  # fmt: skip

    def _highlight(self, ts: float) -> ActionEvent | None:
        comment = self.comments[-1]
        return Highlight(user=comment.user, target=comment.id, text=comment.text)

    def _block(self, ts: float) -> ActionEvent | None:
        comment = self.comments[-1]
        return Block(user=comment.user, target=comment.id, reason="scam")

    def _note(self, ts: float) -> ActionEvent | None:
        comment = self.comments[-1]
        return Note(user=comment.user, target=comment.id, text="regular, asks good questions")

    def _shoutout(self, ts: float) -> ActionEvent | None:
        comment = self.comments[-1]
        return Shoutout(user=comment.user, target=comment.id)


class ScriptedDemo(DemoSource):
    """The demo's stream handed over at once (its events keep the simulation's times), with the
    votes typed during the poll and the script's actions between its events."""

    def __init__(self, **values: Any) -> None:
        super().__init__(**values)
        self.script = Script()
        self.runtime: SessionRuntime | None = None
        self.votes = random.Random(SEED)

    async def events(self) -> AsyncIterator[Event]:
        assert self.runtime is not None and self.start is not None
        stream = self.stream(self.start)
        for n in range(self.limit):
            event = next(stream)
            yield event
            self.script.seen(event)
            if VOTES_FROM <= n < VOTES_TO and n % VOTE_EVERY == 0 and self.script.comments:
                voter = self.votes.choice(self.script.comments[-30:]).user
                choice = self.votes.choices((1, 2, 3), weights=(5, 3, 2))[0]
                yield Comment(id=f"sample-vote-{n}", ts=event.ts, user=voter, text=str(choice))
            action = self.script.action(n, event.ts)
            if action is not None:
                await self.runtime.act(action)
            if n % 200 == 0:
                await asyncio.sleep(0)  # let the recorder and the state take what queued


async def record(output: Path) -> Path:
    source = ScriptedDemo(rate=RATE, seed=SEED, limit=COUNT, start=START.timestamp())
    with tempfile.TemporaryDirectory(prefix="sample-") as folder:
        runtime = SessionRuntime(
            source,
            sessions_dir=Path(folder),
            automod=AutomodEngine(AutomodSettings()),
            title="Friday night songs",
            tags=("sample", "music"),
            started=START,
        )
        source.runtime = runtime
        await runtime.start()
        await runtime.wait_source_done()
        await runtime.close()
        assert runtime.log_path is not None
        missing = {name for name, _ in source.script.steps.values()} - set(source.script.done)
        if missing:
            raise SystemExit(f"make_sample: steps without a target: {sorted(missing)}")
        output.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(runtime.log_path), output)
    return output


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python tools/make_sample.py", description=__doc__.split("\n")[0]
    )
    parser.add_argument("-o", "--output", type=Path, default=OUTPUT, help=f"default: {OUTPUT}")
    options = parser.parse_args(argv)
    path = asyncio.run(record(options.output))
    reader = SessionReader(path)
    events = reader.events()
    kinds: dict[str, int] = {}
    for event in events:
        kinds[event.type] = kinds.get(event.type, 0) + 1
    print(f"{path}: {len(events):,} events, {path.stat().st_size:,} bytes", file=sys.stderr)
    print(", ".join(f"{k} {v}" for k, v in sorted(kinds.items())), file=sys.stderr)
    return 1 if reader.problems else 0


if __name__ == "__main__":
    sys.exit(main())
