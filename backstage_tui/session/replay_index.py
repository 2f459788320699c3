"""`ReplayIndex`: what makes seeking in a long session log fast, built in one pass when a replay
opens.

- the byte offset of every event's line, so reading from any event starts with one seek;
- every event's clock (the running maximum of `ts`: the replay's time never runs backwards), for
  seeking by time and for the position bar;
- where the moderation actions are (the replay's next / previous action);
- where the feed's lines are, to rebuild the feed's buffer at any point;
- a copy of the folded `ConsoleState` every `SNAPSHOT_EVERY` events, without its feed buffer: the
  buffer is most of a state's memory, and it is read back from the log instead.

The state after the first `p` events (`state_at`) is a copy of the nearest snapshot at or before
`p`, its feed buffer rebuilt from the lines it held, then the events from the snapshot to `p`
folded. That is exactly the state folding the first `p` events from the start gives
(tests/test_replay_index.py), for a fraction of the work.

The index lives in memory for as long as the replay does; nothing is written anywhere, least of
all into the log.
"""

from __future__ import annotations

import copy
import gc
import threading
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator
from dataclasses import fields, is_dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from ..bus import stamped_copy
from ..events import ACTION_TYPES, Event, event_from_json
from ..state import FEED_CAPACITY, ConsoleState
from ..state.feed import FeedState, shows_in_feed
from .collector import collector_paused
from .lines import LineSplitter
from .reader import CHUNK, Problem, SessionReader

SNAPSHOT_EVERY = 4096
"""Events between two snapshots: a seek folds at most this many events past the snapshot it
starts from (plus the feed buffer's lines before it)."""
PROGRESS_EVERY = 8192
"""Events between two progress reports while the index is built."""
MODERATION_TYPES = (ACTION_TYPES - {"forward_result"}) | {"automod", "platform_moderation"}
"""What the replay's next / previous action jumps to: every action the console's moderators took
(pins, hides, mutes, notes, ...), the rules' decisions and the platform's own moderation."""


class IndexCancelled(Exception):
    """The replay closed while its index was being built."""


def replayed(event: Event, seq: int, source: str) -> Event:
    """`event` as a replay hands it to the session: numbered `seq` (the `seq` the bus gives it,
    gap-free from 1 even where the log skipped a damaged line) and with its source's name when the
    log had none (what the runtime's pump writes in)."""
    if event.seq != seq:
        event = stamped_copy(event, seq)
    if not event.source:
        event.__dict__["source"] = source
        event.__pydantic_fields_set__.add("source")
    return event


def _parse(line: bytes) -> Event | None:
    """A line that the index read before: an event, or None (blank, damaged, the summary)."""
    try:
        return event_from_json(line)
    except ValidationError:
        return None


class ReplayIndex:
    """Offsets, clocks, actions, feed lines and snapshots of one session log (see the module)."""

    def __init__(self, path: Path, feed_capacity: int, source: str) -> None:
        self.path = Path(path)
        self.feed_capacity = feed_capacity
        self.source = source
        self.offsets = array("q")
        """Byte offset of each event's line."""
        self.clock = array("d")
        """Each event's time: the largest `ts` so far."""
        self.actions = array("q")
        """Positions (0-based event numbers) of the moderation actions, in order."""
        self.feed_lines = array("q")
        """Positions of the events that are lines in the feed, in order."""
        self.snapshots: list[ConsoleState] = []
        """The state after ``i * SNAPSHOT_EVERY`` events, its feed buffer left empty."""
        self.problems: list[Problem] = []
        """The damaged lines found (and passed over) while building."""
        self.end_offset = 0
        """The file's size when the index was built: the events end there."""

    @property
    def total(self) -> int:
        """Events in the log."""
        return len(self.offsets)

    # -- building --

    @classmethod
    def build(
        cls,
        path: Path,
        *,
        feed_capacity: int = FEED_CAPACITY,
        source: str = "replay",
        progress: Callable[[float], None] | None = None,
        cancel: threading.Event | None = None,
    ) -> ReplayIndex:
        """Read and fold the whole log once (meant for a worker thread). `progress` hears the share
        of the file read now and then; setting `cancel` stops the build (`IndexCancelled`).

        Raises `SessionLogError` when the file is not a session log."""
        reader = SessionReader(path)
        index = cls(reader.path, feed_capacity, source)
        size = max(1, index.path.stat().st_size)
        state = ConsoleState.with_capacity(feed_capacity)
        offsets, clock, actions, feed = index.offsets, index.clock, index.actions, index.feed_lines
        snapshots = index.snapshots
        validate = event_from_json
        now = float("-inf")
        total = 0
        end = 0
        for number, offset, line, unterminated in _numbered_lines(index.path):
            if number == 1:
                continue  # the header
            try:
                event: Event | None = validate(line)
            except ValidationError:
                event = reader.judge_line(number, line, unterminated)
            if event is None:
                continue
            if total % SNAPSHOT_EVERY == 0:
                snapshots.append(_snapshot(state))
                if total % PROGRESS_EVERY == 0:
                    if cancel is not None and cancel.is_set():
                        raise IndexCancelled
                    if progress is not None:
                        progress(offset / size)
            total += 1
            event = replayed(event, total, source)
            offsets.append(offset)
            now = max(now, event.ts)
            clock.append(now)
            kind = event.type
            if kind in MODERATION_TYPES:
                actions.append(total - 1)
            if shows_in_feed(event):
                feed.append(total - 1)
            state.apply(event)
            end = offset + len(line) + 1
        if not snapshots:
            snapshots.append(_snapshot(state))
        index.end_offset = end
        index.problems = list(reader.problems)
        # The index lives as long as the replay: its objects (the snapshots' dicts and sets above
        # all) are moved out of the collector's way, as the app does with what it builds at
        # start-up (`gc_tuning`). Scanning them again and again was half of a seek's time.
        gc.freeze()
        if progress is not None:
            progress(1.0)
        return index

    # -- reading --

    def events(self, start: int, stop: int) -> list[Event]:
        """Events `start` to `stop` (0-based, `stop` excluded), as the replay hands them over."""
        stop = min(stop, self.total)
        if start >= stop:
            return []
        first = self.offsets[start]
        end = self.offsets[stop] if stop < self.total else self.end_offset
        with self.path.open("rb") as f:
            f.seek(first)
            data = f.read(end - first)
        found: list[Event] = []
        seq = start
        for line in data.split(b"\n"):
            event = _parse(line)
            if event is not None:
                seq += 1
                found.append(replayed(event, seq, self.source))
        return found

    def batches(self, start: int, size: int = 4096) -> Iterator[list[Event]]:
        """The events from `start` to the end, `size` at a time."""
        for first in range(start, self.total, size):
            yield self.events(first, first + size)

    def state_at(self, position: int) -> ConsoleState:
        """The state after the first `position` events: a snapshot's copy, its feed buffer read
        back, the rest folded."""
        # Tens of thousands of objects made in a blink, none of them garbage: no collection
        # passes while they are (a seek took twice as long with them).
        with collector_paused():
            return self._state_at(position)

    def _state_at(self, position: int) -> ConsoleState:
        position = max(0, min(position, self.total))
        slot = min(position // SNAPSHOT_EVERY, len(self.snapshots) - 1)
        start = slot * SNAPSHOT_EVERY
        state = copy_state(self.snapshots[slot])
        state.__post_init__()  # the links between its parts, to its own parts (not the copied-from)
        # The feed held the last `capacity` lines before `start`: read them back, then go on.
        lines = self.feed_lines
        before = bisect_left(lines, start)
        oldest = lines[max(0, before - self.feed_capacity)] if before else start
        events = self.events(min(oldest, start), position)
        skip = start - min(oldest, start)
        feed = state.feed
        total = feed.total
        for event in events[:skip]:
            feed.apply(event)
        feed.total = total
        state.apply_all(events[skip:])
        return state

    # -- finding positions --

    def time_at(self, position: int) -> float:
        """The clock after the first `position` events (the first event's time before any)."""
        if not self.total:
            return 0.0
        return self.clock[max(0, min(position, self.total) - 1)]

    @property
    def duration(self) -> float:
        """Seconds from the first event to the last."""
        return self.clock[-1] - self.clock[0] if self.total else 0.0

    def position_at_time(self, when: float) -> int:
        """How many events happened at or before `when`."""
        return bisect_right(self.clock, when)

    def next_action(self, position: int) -> int | None:
        """The position just after the first action not yet folded at `position` (so the action
        shows), or None when there is none."""
        found = bisect_left(self.actions, position)
        return self.actions[found] + 1 if found < len(self.actions) else None

    def previous_action(self, position: int) -> int | None:
        """The position just after the last action before the newest one folded at `position`: a
        second press goes one further back. None when there is none."""
        found = bisect_left(self.actions, position - 1) - 1
        return self.actions[found] + 1 if found >= 0 else None


def _snapshot(state: ConsoleState) -> ConsoleState:
    """A copy of `state` with an empty feed buffer (its count kept): events are shared, not copied
    (`events._Model.__deepcopy__`)."""
    feed = state.feed
    state.feed = FeedState(capacity=feed.capacity, total=feed.total)
    try:
        return copy_state(state)
    finally:
        state.feed = feed


_ATOMIC: frozenset[type] = frozenset({str, int, float, bool, bytes, type(None)})


_KNOWN: dict[type, bool] = {}
"""`_immutable`'s answers, by type (a handful of types, asked about for every value copied)."""


def _immutable(kind: type) -> bool:
    """Whether values of `kind` never change: atoms, events (frozen models), frozen dataclasses.
    Tuples are not among them (they may hold mutable things)."""
    known = _KNOWN.get(kind)
    if known is None:
        if kind in _ATOMIC:
            known = True
        elif issubclass(kind, BaseModel):
            known = bool(kind.model_config.get("frozen"))
        else:
            params = getattr(kind, "__dataclass_params__", None)
            known = params is not None and bool(params.frozen)
        _KNOWN[kind] = known
    return known


def copy_state(state: ConsoleState) -> ConsoleState:
    """A deep copy of `state` (a snapshot's, or one put back), the fast way: what never changes is
    shared (events, frozen records, numbers and text), and a table that holds only such values
    (the per-viewer counts, the questions) is copied in one call instead of entry by entry, which
    `copy.deepcopy` does. Everything else is deep-copied, through one memo so what two parts share
    they still share."""
    memo: dict[int, Any] = {}
    copied = copy.copy(state)
    for part in fields(state):
        setattr(copied, part.name, _copy_part(getattr(state, part.name), memo))
    return copied


def _copy_part(part: Any, memo: dict[int, Any]) -> Any:
    kind = type(part)
    if not is_dataclass(part) or _immutable(kind) or hasattr(part, "__slots__"):
        return _copy_value(part, memo)
    copied = copy.copy(part)
    memo[id(part)] = copied
    for name, value in vars(part).items():  # its fields and any attribute set besides
        setattr(copied, name, _copy_value(value, memo))
    return copied


def _all_immutable(kinds: set[type]) -> bool:
    return all(_immutable(kind) for kind in kinds)


def _copy_value(value: Any, memo: dict[int, Any]) -> Any:
    kind = type(value)
    if _immutable(kind):
        return value
    found = memo.get(id(value))
    if found is not None:
        return found
    copied: Any
    if kind is dict and _all_immutable(set(map(type, value.values()))):
        copied = value.copy()  # keys are hashable, so never changed in place
    elif kind in (set, list) and _all_immutable(set(map(type, value))):
        copied = value.copy()
    else:
        return copy.deepcopy(value, memo)
    memo[id(value)] = copied
    return copied


def _numbered_lines(path: Path) -> Iterator[tuple[int, int, bytes, bool]]:
    """(1-based line number, byte offset, line, unterminated) for every line of `path`."""
    number = 0
    offset = 0
    splitter = LineSplitter()
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            for line in splitter.feed(chunk):
                number += 1
                yield number, offset, line, False
                offset += len(line) + 1
    if rest := splitter.finish():
        yield number + 1, offset, rest, True
