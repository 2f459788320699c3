"""The moderation reducer: what the console's moderators (and its rules) did, and what it means now.

Every action carries what it needs of its target (the user, the message id), so it takes effect the
same whether or not the message is still in the feed's buffer, live or in a replay.

Timed states (mutes, watches) end on the session clock: the timestamps of the source's events, never
the wall clock, so a replay at any speed ends them at the same events.

Undo: each action notes what it changed (the value each key had before), and an `Undo` event puts
exactly those values back. The action stays in the log, marked undone.
"""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass, field, replace
from typing import Any

from ..events import (
    ACTION_TYPES,
    Block,
    Event,
    ForwardResult,
    Hide,
    Highlight,
    MarkDone,
    Moderator,
    Mute,
    Note,
    Pin,
    PollStart,
    Say,
    Shoutout,
    TodoDone,
    Undo,
    Unhide,
    User,
    Watch,
)

USER_EVENT_TYPES = frozenset({"comment", "question", "gift", "like", "follow", "share", "join"})
"""Events that carry a viewer, whose messages a mute or block hides."""
NOT_UNDOABLE = frozenset({"undo", "todo_done", "forward_result", "say", "poll_start", "poll_close"})
"""A message said in chat cannot be taken back (one still on the In the app list is ticked off);
a poll the chat has seen open or closed cannot be unseen (polls.py folds them, logged here)."""
QUEUED_ON_PLATFORM = frozenset({"mute", "block", "moderator", "say"})
"""What the platform's own app can do but a read-only source cannot: queued when not forwarded."""
QUEUED_ON_TIKTOK = frozenset({"pin", "unpin"})
"""What TikTok's app does that its tools cannot (pinning a comment under the LIVE): queued for a
TikTok message when not forwarded; elsewhere (Twitch, a file) local to this console."""
MUTE_PRESETS_S: tuple[float, ...] = (10, 60, 300, 600, 1800, 3600, 86400, 0)
"""The mute lengths `t` offers on the digits 1 to 8, in seconds; 0 is the rest of the live."""
WATCH_S = 600.0
"""How long `w` watches a user, in session seconds."""
REASONS: tuple[str, ...] = ("spam", "hate", "harassment", "sexual", "violence", "self-harm", "scam")
"""Reasons offered with an action: TikTok's community-guideline categories."""
MARK_HIGHLIGHT, MARK_WATCHED, MARK_MODERATOR = 1, 2, 4
"""The bits of `ModerationState.marks`: how the feed draws a message besides hidden or pinned."""


class _Missing:
    """ "Nothing was there": a marker that stays itself through copies (a replay's snapshots of the
    state are deep copies, and ``before is _MISSING`` must still hold in them)."""

    def __copy__(self) -> _Missing:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> _Missing:
        return self

    def __reduce__(self) -> str:
        return "_MISSING"


_MISSING: Any = _Missing()


@dataclass
class Timed:
    """A mute or watch on one user: ends when the session clock reaches `until` (None: never)."""

    action: str
    until: float | None


@dataclass
class LogEntry:
    """One action in the moderation log."""

    id: str
    seq: int
    ts: float
    type: str
    by: str
    effect: str
    reason: str = ""
    user: User | None = None
    target: str = ""
    detail: str = ""
    """What was done, in a few words ("5 min", "appointed", the note's text)."""
    outcome: str = ""
    """What the state did: "done", or why nothing changed ("already blocked")."""
    undone_by: str = ""
    """The id of the `Undo` that reverted it."""
    forward: str = ""
    """``ok`` or the platform's error, for a forwarded action."""
    ref: str = ""
    """For an undo or a to-do tick: the id of the action it refers to."""

    @property
    def undoable(self) -> bool:
        return self.type not in NOT_UNDOABLE and not self.undone_by and self.outcome == "done"


@dataclass
class TodoItem:
    """An action to be done by hand in the platform's app."""

    action: str
    type: str
    user: User | None
    detail: str
    done: bool = False


def duration_label(seconds: float | None) -> str:
    """``10 s``, ``5 min``, ``1 h``, ``rest of the live``."""
    if seconds is None:
        return "rest of the live"
    if seconds < 60:
        return f"{seconds:g} s"
    if seconds < 3600:
        return f"{seconds / 60:g} min"
    return f"{seconds / 3600:g} h"


@dataclass
class ModerationState:
    hidden: set[str] = field(default_factory=set)
    """Ids of messages hidden one by one. The feed still holds them; the UI shows a placeholder."""
    silenced: dict[str, str] = field(default_factory=dict)
    """Ids of messages hidden because their author was muted or blocked, to the action's id."""
    muted: dict[str, Timed] = field(default_factory=dict)
    blocked: dict[str, str] = field(default_factory=dict)
    """User id to the blocking action's id."""
    roster: dict[str, User] = field(default_factory=dict)
    """The console's moderators (appointed with `m`), by user id."""
    highlights: dict[str, LogEntry] = field(default_factory=dict)
    """Highlighted messages by message id (the entry carries the author and text)."""
    shoutouts: dict[str, User] = field(default_factory=dict)
    watched: dict[str, Timed] = field(default_factory=dict)
    done: dict[str, str] = field(default_factory=dict)
    """The entries of the lists worked through (`MarkDone`), by `done_key`, to the marking
    action's id: questions answered, highlights and shout-outs done."""
    notes: dict[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)
    """User id to (action id, text) notes, oldest first."""
    log: list[LogEntry] = field(default_factory=list)
    """Every action, oldest first."""
    todo: dict[str, TodoItem] = field(default_factory=dict)
    """The "In the app" list by the id of the action to do."""
    clock: float | None = None
    """The session clock: the newest timestamp of the source's events."""
    actions: int = 0
    _entries: dict[str, LogEntry] = field(default_factory=dict, repr=False)
    _before: dict[str, list[tuple[str, str, Any]]] = field(default_factory=dict, repr=False)
    """Per action id: (field, key, value before) for each key the action changed."""
    _next_expiry: float | None = None
    known_questions: Container[str] | None = field(default=None, repr=False, compare=False)
    """The ids the Questions list holds (`ConsoleState` hands its dict over): a question marked
    answered must be one of them. The dict itself, not a function of it, so a deep copy of the
    whole state (the replay's seek snapshots) keeps the two together."""

    # -- reading --

    def is_hidden(self, event_id: str) -> bool:
        return event_id in self.hidden or event_id in self.silenced

    def is_muted(self, user_id: str) -> bool:
        return user_id in self.muted

    def is_watched(self, user_id: str) -> bool:
        return user_id in self.watched

    def marks(self, event: Event) -> int:
        """`MARK_*` bits for a feed line: highlighted, its author watched, on the roster."""
        if not (self.highlights or self.watched or self.roster):
            return 0
        found = MARK_HIGHLIGHT if event.id in self.highlights else 0
        user = getattr(event, "user", None)
        if isinstance(user, User):
            if user.id in self.watched:
                found |= MARK_WATCHED
            if user.id in self.roster:
                found |= MARK_MODERATOR
        return found

    def is_done(self, kind: str, target: str) -> bool:
        """Whether the entry `target` of the list `kind` was marked done (`MarkDone`)."""
        return done_key(kind, target) in self.done

    @property
    def todo_open(self) -> int:
        return sum(1 for item in self.todo.values() if not item.done)

    def describe(self, action_id: str, detail: str, user: User | None) -> None:
        """Say what the action `action_id` was about when the event itself does not (an unpin
        names only its target): in its log entry and on its In the app to-do."""
        entry = self._entries.get(action_id)
        if entry is None:
            return
        entry.detail, entry.user = detail, entry.user or user
        item = self.todo.get(action_id)
        if item is not None:
            item.detail, item.user = _todo_detail(entry), entry.user

    def entry(self, action_id: str) -> LogEntry | None:
        return self._entries.get(action_id)

    def last_undoable(self, target: str = "", user_id: str = "") -> LogEntry | None:
        """The newest action not undone yet; with `target` or `user_id`, the newest on that
        message or that user."""
        for entry in reversed(self.log):
            if not entry.undoable:
                continue
            if not target and not user_id:
                return entry
            if target and entry.target == target:
                return entry
            if user_id and entry.user is not None and entry.user.id == user_id:
                return entry
        return None

    def snapshot(self) -> dict[str, Any]:
        """Everything the reducer holds, as plain comparable values (replay tests compare these)."""
        return {
            "hidden": set(self.hidden),
            "silenced": dict(self.silenced),
            "muted": dict(self.muted),
            "blocked": dict(self.blocked),
            "roster": dict(self.roster),
            "highlights": dict(self.highlights),
            "shoutouts": dict(self.shoutouts),
            "watched": dict(self.watched),
            "notes": dict(self.notes),
            "done": dict(self.done),
            "todo": {k: replace(v) for k, v in self.todo.items()},
            "log": [replace(e) for e in self.log],
            "actions": self.actions,
        }

    # -- folding --

    def apply(self, event: Event) -> str | None:
        """Fold one event; for an action, what the state did ("done", or why nothing changed)."""
        kind = event.type
        if kind not in ACTION_TYPES:
            # Nearly every event: a few attribute tests.
            ts = event.ts
            if self.clock is None or ts > self.clock:
                self.clock = ts
                if self._next_expiry is not None and ts >= self._next_expiry:
                    self._expire(ts)
            if (self.muted or self.blocked) and kind in USER_EVENT_TYPES:
                self._silence(event)
            return None
        if isinstance(event, ForwardResult):
            self._forwarded(event)
            return None
        return self._act(event)

    def _silence(self, event: Any) -> None:
        user_id = event.user.id
        cause = self.blocked.get(user_id)
        if cause is None:
            mute = self.muted.get(user_id)
            if mute is not None and (mute.until is None or event.ts < mute.until):
                cause = mute.action
        if cause is not None:
            self.silenced[event.id] = cause

    def _expire(self, now: float) -> None:
        for table in (self.muted, self.watched):
            for user_id in [k for k, t in table.items() if t.until is not None and t.until <= now]:
                del table[user_id]
        self._plan_expiry()

    def _plan_expiry(self) -> None:
        ends = [
            t.until for t in (*self.muted.values(), *self.watched.values()) if t.until is not None
        ]
        self._next_expiry = min(ends) if ends else None

    def _now(self, event: Event) -> float:
        return self.clock if self.clock is not None else event.ts

    # The one way an action changes a table: the value before is noted for its undo.
    def _set(self, action: str, name: str, key: str, value: Any) -> None:
        table = getattr(self, name)
        self._before.setdefault(action, []).append((name, key, table.get(key, _MISSING)))
        table[key] = value

    def _drop(self, action: str, name: str, key: str) -> None:
        table = getattr(self, name)
        if key in table:
            self._before.setdefault(action, []).append((name, key, table[key]))
            del table[key]

    def _act(self, event: Any) -> str:
        self.actions += 1
        entry = LogEntry(
            id=event.id, seq=event.seq, ts=event.ts, type=event.type, by=event.by,
            effect=event.effect, reason=event.reason, user=getattr(event, "user", None),
            target=getattr(event, "target", ""), ref=getattr(event, "action", ""),
        )  # fmt: skip
        self.log.append(entry)
        self._entries[event.id] = entry
        outcome = self._change(event, entry)
        entry.outcome = outcome
        if event.effect == "queued" and outcome == "done" and event.type != "undo":
            self._set(event.id, "todo", event.id, TodoItem(event.id, event.type, entry.user,
                                                             _todo_detail(entry)))  # fmt: skip
        return outcome

    def _change(self, event: Any, entry: LogEntry) -> str:  # noqa: C901 - one branch per action
        aid = event.id
        if isinstance(event, Hide):
            if event.target in self.hidden:
                return "already hidden"
            self._before.setdefault(aid, []).append(("hidden", event.target, False))
            self.hidden.add(event.target)
        elif isinstance(event, Unhide):
            if event.target not in self.hidden:
                return "not hidden"
            self._before.setdefault(aid, []).append(("hidden", event.target, True))
            self.hidden.discard(event.target)
        elif isinstance(event, Mute):
            until = None if event.duration_s is None else self._now(event) + event.duration_s
            entry.detail = duration_label(event.duration_s)
            self._set(aid, "muted", event.user.id, Timed(aid, until))
            self._plan_expiry()
        elif isinstance(event, Block):
            if event.user.id in self.blocked:
                return "already blocked"
            self._set(aid, "blocked", event.user.id, aid)
        elif isinstance(event, Moderator):
            entry.detail = "appointed" if event.appoint else "revoked"
            if event.appoint == (event.user.id in self.roster):
                return "already a moderator" if event.appoint else "not a moderator"
            if event.appoint:
                self._set(aid, "roster", event.user.id, event.user)
            else:
                self._drop(aid, "roster", event.user.id)
        elif isinstance(event, Highlight):
            entry.detail = event.text
            if event.target in self.highlights:
                return "already highlighted"
            self._set(aid, "highlights", event.target, entry)
        elif isinstance(event, Shoutout):
            if event.user.id in self.shoutouts:
                return "already on the shout-out list"
            self._set(aid, "shoutouts", event.user.id, event.user)
        elif isinstance(event, Watch):
            entry.detail = duration_label(event.duration_s)
            self._set(
                aid, "watched", event.user.id, Timed(aid, self._now(event) + event.duration_s)
            )
            self._plan_expiry()
        elif isinstance(event, Note):
            entry.detail = event.text
            notes = self.notes.get(event.user.id, ())
            self._set(aid, "notes", event.user.id, (*notes, (aid, event.text)))
        elif isinstance(event, MarkDone):
            entry.detail = event.kind
            key = done_key(event.kind, event.target)
            if key in self.done:
                return "already done"
            if event.kind == "highlight" and event.target not in self.highlights:
                return "not highlighted"
            if event.kind == "shoutout" and event.target not in self.shoutouts:
                return "not on the shout-out list"
            known = self.known_questions
            if event.kind == "question" and known is not None and event.target not in known:
                return "not on the questions list"
            self._set(aid, "done", key, aid)
        elif isinstance(event, Pin):
            entry.detail = event.text
        elif isinstance(event, Say):
            if not event.text.strip():
                return "nothing to say"
            entry.detail = event.text
        elif isinstance(event, PollStart):
            entry.detail = event.question
        elif isinstance(event, Undo):
            return self._undo(event, entry)
        elif isinstance(event, TodoDone):
            done = self._entries.get(event.action)
            if done is not None:
                entry.user, entry.target, entry.detail = done.user, done.target, done.type
            item = self.todo.get(event.action)
            if item is None:
                return "not on the list"
            if item.done:
                return "already done"
            item.done = True
        # pin / unpin, poll_close: the pins and polls reducers'; logged here
        return "done"

    def _undo(self, event: Undo, entry: LogEntry) -> str:
        target = self._entries.get(event.action)
        if target is None:
            return "no such action"
        entry.user, entry.target, entry.detail = target.user, target.target, target.type
        if not target.undoable:
            return "already undone" if target.undone_by else "cannot be undone"
        target.undone_by = event.id
        item = self.todo.get(target.id)
        for name, key, before in reversed(self._before.pop(target.id, [])):
            if name == "hidden":
                (self.hidden.add if before else self.hidden.discard)(key)
                continue
            table = getattr(self, name)
            if name == "todo" and item is not None and item.done:
                continue  # done in the app already: undoing it there is a new to-do (below)
            if before is _MISSING:
                table.pop(key, None)
            else:
                table[key] = before
        # Messages a mute or block hid show again.
        for message in [m for m, cause in self.silenced.items() if cause == target.id]:
            del self.silenced[message]
        self._plan_expiry()
        if item is not None and item.done and event.effect == "queued":
            self.todo[event.id] = TodoItem(event.id, "undo", target.user,
                                           f"undo: {_todo_detail(target)}")  # fmt: skip
        return "done"

    def _forwarded(self, event: ForwardResult) -> None:
        entry = self._entries.get(event.action)
        if entry is None:
            return
        entry.forward = "ok" if event.ok else (event.error or "refused")
        if not event.ok and entry.type in QUEUED_ON_PLATFORM | QUEUED_ON_TIKTOK:
            # The platform refused: it still needs doing, by hand.
            self.todo[entry.id] = TodoItem(entry.id, entry.type, entry.user, _todo_detail(entry))


def done_key(kind: str, target: str) -> str:
    """The key of a list entry in `ModerationState.done`: ``question:<id>``, ``shoutout:<user>``."""
    return f"{kind}:{target}"


def _todo_detail(entry: LogEntry) -> str:
    """What to do in the app, in words: "mute for 5 min", "block", "appoint as moderator"."""
    if entry.type == "mute":
        return f"mute for {entry.detail}"
    if entry.type == "moderator":
        return "make moderator" if entry.detail == "appointed" else "remove as moderator"
    if entry.type == "say":
        return f"post in the chat: {entry.detail}"
    if entry.type == "pin":
        return f"pin: {entry.detail}"
    if entry.type == "unpin":
        return f"unpin: {entry.detail}" if entry.detail else "unpin the pinned comment"
    return entry.type
