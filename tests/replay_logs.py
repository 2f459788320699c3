"""Session logs for the replay tests: the demo's events with moderation actions among them."""

from __future__ import annotations

from pathlib import Path

from backstage_tui.events import Event, Hide, MarkDone, Mute, Pin, Unpin
from backstage_tui.sources.demo import DemoSource
from backstage_tui.state.feed import CHAT_TYPES
from tests.helpers import T0, record_session

RATE = 2.0
"""Events a second of session time: 600 events are five minutes."""
ACTION_EVERY = 97
"""An action after about every this many events."""


def demo_with_actions(count: int, *, seed: int = 7, rate: float = RATE) -> list[Event]:
    """`count` demo events from `T0` at `rate` a second, and after about every `ACTION_EVERY` of
    them an action (pin, hide, mute, unpin, a question marked answered, in turn) on the latest comment, at the same time."""
    stream = DemoSource(rate=rate, seed=seed, start=T0).stream(T0)
    events: list[Event] = []
    comments: list[Event] = []
    turn = 0
    for n in range(count):
        event = next(stream)
        events.append(event)
        if event.type in CHAT_TYPES:
            comments.append(event)
        if n % ACTION_EVERY == ACTION_EVERY - 1 and comments:
            target = comments[-1]
            ts = event.ts
            kind = turn % 5
            if kind == 0:
                events.append(Pin(target=target.id, ts=ts))
            elif kind == 1:
                events.append(Hide(target=target.id, ts=ts))
            elif kind == 2:
                events.append(Mute(user=target.user, duration_s=300, ts=ts))  # type: ignore[attr-defined]
            elif kind == 3:
                pinned = next(e for e in reversed(events) if isinstance(e, Pin))
                events.append(Unpin(target=pinned.target, ts=ts))
            else:
                asked = next((e for e in reversed(events) if e.type == "question"), target)
                events.append(MarkDone(kind="question", target=asked.id, ts=ts))
            turn += 1
    return events


async def record_demo_with_actions(folder: Path, count: int, **kw: float) -> Path:
    """The log of `demo_with_actions(count)`, recorded by the real runtime and recorder."""
    return await record_session(folder, demo_with_actions(count, **kw))  # type: ignore[arg-type]
