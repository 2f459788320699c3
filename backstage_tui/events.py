"""The event model: everything that happens in a session is one of these.

Chat events come from a source; action events come from the console's own keyboard. Both travel the
same bus, reach the same session log and feed the same reducers, which is what makes replay exact.

The schema is versioned (`SCHEMA_VERSION`) and documented in `docs/log-format.md`. Text fields keep
the raw characters a viewer typed: sanitising is a display concern (`safetext`), never a storage one.
"""

from __future__ import annotations

import itertools
import json
import re
import time
from collections.abc import Callable, Iterable
from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter
from pydantic_core import PydanticSerializationError

SCHEMA_VERSION = 2
"""2: every event may carry `source`, and the header lists `sources` (version-1 logs read as is)."""

Role = Literal["host", "moderator", "subscriber", "follower", "top_gifter", "friend", "new"]
Platform = Literal["tiktok", "twitch", "youtube", "other"]
ConnectionStatus = Literal["connecting", "connected", "reconnecting", "disconnected", "ended"]
ModerationKind = Literal["delete", "timeout", "ban", "clear"]

_ids = itertools.count(1)
GENERATED_ID_PREFIX = "bs-"
"""How every id the console makes starts; a platform's own message ids never do."""
_id_prefix = f"{GENERATED_ID_PREFIX}{int(time.time() * 1000):x}"


def new_event_id() -> str:
    """A process-unique id for events a source did not give one (the console's actions, jsonl lines)."""
    return f"{_id_prefix}-{next(_ids)}"


def is_generated_id(event_id: str) -> bool:
    """Whether `event_id` was made by the console (`new_event_id`) rather than given by a platform."""
    return event_id.startswith(GENERATED_ID_PREFIX)


class _Model(BaseModel):
    # Frozen: an event is a fact. Reducers share them between feed, pins and snapshots without copies.
    # No infinity or NaN: JSON has no form for them (they would be logged as null and the line lost
    # on replay), and one would break every sum and clock that uses it.
    model_config = ConfigDict(frozen=True, extra="ignore", allow_inf_nan=False)

    def __deepcopy__(self, memo: dict[int, Any] | None = None) -> Any:
        """A fact's deep copy is the fact itself: a copied state (a replay's snapshot) shares its
        events, as the reducers do, instead of copying every one of them."""
        return self


Int = Annotated[int, Field(ge=-(2**63), le=2**64 - 1)]
"""A platform's number: 64 bits at most. A hostile 4,000-digit count would pass JSON parsing, then
break every place that formats it (Python refuses to print an int of over 4,300 digits)."""


class User(_Model):
    """A viewer as the platform describes them."""

    id: str
    handle: str = ""
    """The @name, without the @."""
    name: str = ""
    """The display name; may be anything the viewer typed."""
    roles: tuple[Role, ...] = ()
    badges: tuple[str, ...] = ()

    def has(self, role: Role) -> bool:
        return role in self.roles


class _Event(_Model):
    # Not a field: the JSON line the event was read from, when `keep_lines` kept it for the log.
    __slots__ = ("_line",)

    id: str = Field(default_factory=new_event_id)
    """Message id from the platform when it has one; used to refer to the event and to drop repeats."""
    ts: float = Field(default_factory=time.time)
    """When it happened, seconds since the epoch (UTC)."""
    seq: Int = 0
    """Position in the session, gap-free from 1; 0 until published. The bus writes it into the event
    on its first publication and copies one published again."""
    source: str = ""
    """The name of the session's source it came from (``demo``, ``tiktok``, ...), written in by the
    runtime as the source hands it over; empty for the console's own actions and in logs written
    before it existed."""


class _ChatEvent(_Event):
    platform: Platform = "tiktok"
    user: User


# --- chat events ---------------------------------------------------------------------------


class Comment(_ChatEvent):
    type: Literal["comment"] = "comment"
    text: str


class Question(_ChatEvent):
    """A question asked through the platform's Q&A feature."""

    type: Literal["question"] = "question"
    text: str


class Gift(_ChatEvent):
    type: Literal["gift"] = "gift"
    gift_id: Int = 0
    gift_name: str = ""
    diamonds: Int = 0
    """Diamond value of one gift."""
    repeat_count: Int = 1
    """How many in the streak so far (TikTok counts up while a streak runs)."""
    streak_id: str = ""
    streak_end: bool = True
    """True on the event that closes a streak; only then does the streak count towards totals."""


class Like(_ChatEvent):
    type: Literal["like"] = "like"
    count: Int = 1
    total: Int = 0
    """The stream's like total as the platform reports it (0 when unknown)."""


class Follow(_ChatEvent):
    type: Literal["follow"] = "follow"


class Share(_ChatEvent):
    type: Literal["share"] = "share"


class Join(_ChatEvent):
    type: Literal["join"] = "join"


class Viewers(_Event):
    type: Literal["viewers"] = "viewers"
    count: Int


class Connection(_Event):
    type: Literal["connection"] = "connection"
    status: ConnectionStatus
    detail: str = ""


class Gap(_Event):
    """The source was away: events between `since` and `until` may be missing."""

    type: Literal["gap"] = "gap"
    since: float
    until: float
    reason: str = ""


class Malformed(_Event):
    """A payload a source could not understand, kept so nothing is silently lost."""

    type: Literal["malformed"] = "malformed"
    raw: str
    error: str


class PlatformModeration(_Event):
    """The platform's own moderators acted, as the source saw it (the console did nothing): a
    message deleted, a viewer timed out or banned (their messages cleared), or the whole chat
    cleared. Recorded so the log shows what the audience saw disappear, and why."""

    type: Literal["platform_moderation"] = "platform_moderation"
    platform: Platform = "tiktok"
    action: ModerationKind
    target: str = ""
    """The deleted message's id (``delete``); empty otherwise."""
    user: User | None = None
    """Whose message was deleted, or who was timed out or banned; None when the chat was cleared."""
    duration_s: Int = 0
    """How long a ``timeout`` lasts, in seconds."""
    text: str = ""
    """The deleted message's text, when the platform says it."""


# --- the console's own actions -------------------------------------------------------------


Effect = Literal["local", "forwarded", "queued"]
"""What an action did, stated in the toast, the moderation log and the session log:

- ``local``: the console did it on its own screen (hid, marked, listed) and nothing else;
- ``forwarded``: the source performed it on the platform (its outcome follows as `ForwardResult`);
- ``queued``: it needs doing in the platform's app; it waits on the "In the app" to-do list."""


class _Action(_Event):
    by: str = "console"
    """Who acted: the console's operator (the config's ``moderation.operator``), ``automod`` for the
    rules, or a platform moderator a source reports."""
    effect: Effect = "local"
    """Set by `SessionRuntime.act` from the source's capabilities before the action is recorded."""
    reason: str = ""
    """Why, when the moderator gave a reason (one of the config's templates) or a rule did."""


class Pin(_Action):
    type: Literal["pin"] = "pin"
    target: str
    """Id of the pinned comment."""
    user: User | None = None
    """The comment's author, carried so the pin holds after the comment left the feed's buffer.
    Logs from before it was carried have only `target` (the reducer then looks it up)."""
    text: str = ""
    question: bool = False
    """The target was a question (Q&A) rather than a comment."""
    platform: Platform = "tiktok"
    """The pinned message's platform: what pinning it there takes (TikTok's: its app)."""
    expire_s: float | None = Field(default=None, gt=0)
    """Seconds of session time (the events' own clock) after which the pin comes off by itself:
    the config's ``moderation.pin_expire_s`` when it was pinned, recorded so a replay expires it
    at the same event whatever the config is by then. None: it stays until unpinned."""


class Unpin(_Action):
    type: Literal["unpin"] = "unpin"
    target: str


class Hide(_Action):
    type: Literal["hide"] = "hide"
    target: str
    user: User | None = None
    """The message's author (absent in older logs)."""


class Unhide(_Action):
    type: Literal["unhide"] = "unhide"
    target: str


# --- auto-moderation ------------------------------------------------------------------------

Outcome = Literal["hide", "hold", "flag"]
"""What a rule does to a message: ``hide`` it, ``hold`` it for review (it waits in the review
queue, out of the feed, until a moderator approves or denies it), or ``flag`` it (marked, shown)."""


class AutomodDecision(_Event):
    """An auto-moderation rule judged the message `target`: recorded before the message itself, so
    a replay reads the decision and never judges again (whatever the rules are by then).

    Self-contained: it carries the message's author and text, so the review queue holds the
    message after it left the feed's buffer.
    """

    type: Literal["automod"] = "automod"
    rule: str
    """The rule that decided, as the config names it (``terms.slurs``, ``links``, ``waves``...)."""
    outcome: Outcome
    target: str
    """Id of the judged message."""
    user: User
    text: str = ""
    detail: str = ""
    """What the rule found (a term, a link, a count), raw: sanitise before display."""
    also: tuple[str, ...] = ()
    """Other rules the message broke, whose outcome the deciding rule's outweighs."""


class Approve(_Action):
    """A moderator let a held message into the feed, in its place."""

    type: Literal["approve"] = "approve"
    target: str


class Deny(_Action):
    """A moderator turned a held message down: it stays out of the feed, and counts against its
    author (the escalation ladder)."""

    type: Literal["deny"] = "deny"
    target: str
    user: User


# --- moderation actions on a viewer (all carry the user, so none needs its target in a buffer) ---


class _UserAction(_Action):
    user: User
    target: str = ""
    """The message the moderator acted from, when there was one."""


class Mute(_UserAction):
    """Hide the user's new messages on this console until `duration_s` of session time passed."""

    type: Literal["mute"] = "mute"
    duration_s: float | None = None
    """None: for the rest of the live."""


class Block(_UserAction):
    """Hide the user's messages on this console from now on (idempotent: blocking twice is one)."""

    type: Literal["block"] = "block"


class Moderator(_UserAction):
    """Put the user on the console's moderator roster (`appoint`), or take them off."""

    type: Literal["moderator"] = "moderator"
    appoint: bool = True


class Highlight(_UserAction):
    """Make a message stand out in the feed and put it on the highlights list."""

    type: Literal["highlight"] = "highlight"
    text: str = ""


class Shoutout(_UserAction):
    """Add the user to the shout-out list."""

    type: Literal["shoutout"] = "shoutout"


class Watch(_UserAction):
    """Mark the user's messages for `duration_s` of session time."""

    type: Literal["watch"] = "watch"
    duration_s: float


class Note(_UserAction):
    """A note on the user."""

    type: Literal["note"] = "note"
    text: str


class Undo(_Action):
    """Undo the action whose event id is `action`: its effect is reverted, the record stays."""

    type: Literal["undo"] = "undo"
    action: str


class TodoDone(_Action):
    """The moderator did the queued action `action` in the platform's app and ticked it off."""

    type: Literal["todo_done"] = "todo_done"
    action: str


ListKind = Literal["question", "highlight", "shoutout"]
"""The lists a moderator works through: the questions, the highlights and the shout-out list."""


class MarkDone(_Action):
    """An entry of a list worked through: a question answered, a highlight read out, a shout-out
    given. One event for all three: each marks one entry of one list done, and `Undo` opens it
    again."""

    type: Literal["mark_done"] = "mark_done"
    kind: ListKind
    target: str
    """The entry: the question's or the highlighted message's id, or the shout-out's user id."""


class Say(_Action):
    """A message for the live's chat, from the console: an answer to a viewer, a shout-out, a
    goodbye. ``forwarded`` where the source can send chat (it posts it as the operator's account);
    otherwise ``queued``: it waits on the In the app list, ready to copy into the app's chat."""

    type: Literal["say"] = "say"
    text: str
    target: str = ""
    """Id of the message it answers, if any."""
    user: User | None = None
    """The viewer it answers, if any."""


# --- polls the console runs in chat (state/polls.py counts the votes) -------------------------

POLL_MIN_OPTIONS = 2
POLL_MAX_OPTIONS = 6
"""A console poll has 2 to 6 options: a viewer votes with a digit, so one keystroke each."""


class PollStart(_Action):
    """The console opened a poll in chat: viewers vote by typing an option's number, ``!vote N``
    or the option's text. Carries everything the poll is, so a replay counts it the same."""

    type: Literal["poll_start"] = "poll_start"
    poll_id: str = Field(default_factory=new_event_id)
    question: str
    options: tuple[str, ...] = Field(min_length=POLL_MIN_OPTIONS, max_length=POLL_MAX_OPTIONS)
    duration_s: float | None = Field(default=None, gt=0)
    """Closes by itself once the session clock (the events' timestamps) is this far past the
    start; None: open until a `PollClose`."""
    first_vote_only: bool = False
    """True: a viewer's first vote stands; False: a later vote for another option moves theirs."""


class PollClose(_Action):
    """The console closed the poll `poll_id`: later votes are not counted, the results stay."""

    type: Literal["poll_close"] = "poll_close"
    poll_id: str


class ForwardResult(_Event):
    """What the platform said when the source forwarded the action `action`."""

    type: Literal["forward_result"] = "forward_result"
    action: str
    ok: bool
    error: str = ""


# --- what a platform reports about its own room (the tiktok source) ----------------------------


class Guest(_ChatEvent):
    """A guest joined or left the host on screen (TikTok's multi-guest / link-mic)."""

    type: Literal["guest"] = "guest"
    action: Literal["join", "leave"]


class PollOption(_Model):
    text: str
    votes: Int = 0


class PlatformPoll(_Event):
    """A poll run by the host in the platform's own app (not one the console runs)."""

    type: Literal["platform_poll"] = "platform_poll"
    platform: Platform = "tiktok"
    poll_id: str
    status: Literal["start", "update", "end"]
    title: str = ""
    options: tuple[PollOption, ...] = ()


class PlatformPin(_Event):
    """A message pinned (or unpinned) in the platform's own app; carries the message itself, so it
    shows even when the console never saw the original."""

    type: Literal["platform_pin"] = "platform_pin"
    platform: Platform = "tiktok"
    target: str
    """Id of the pinned message."""
    pinned: bool = True
    """False when the pin was taken off."""
    text: str = ""
    user: User | None = None
    """Who wrote the pinned message, when the platform says."""
    by: str = ""
    """The @name of who pinned it, when the platform says."""


ChatEvent = Comment | Question | Gift | Like | Follow | Share | Join
ActionEvent = (
    Pin | Unpin | Hide | Unhide | Mute | Block | Moderator | Highlight | Shoutout | Watch | Note
    | Undo | TodoDone | Approve | Deny | Say | PollStart | PollClose | MarkDone
)  # fmt: skip
Event = Annotated[
    Comment
    | Question
    | Gift
    | Like
    | Follow
    | Share
    | Join
    | Viewers
    | Connection
    | Gap
    | Malformed
    | PlatformModeration
    | Pin
    | Unpin
    | Hide
    | Unhide
    | Mute
    | Block
    | Moderator
    | Highlight
    | Shoutout
    | Watch
    | Note
    | Undo
    | TodoDone
    | Say
    | ForwardResult
    # the tiktok source's platform events
    | Guest
    | PlatformPoll
    | PlatformPin
    | AutomodDecision
    | Approve
    | Deny
    | PollStart
    | PollClose
    | MarkDone,
    Field(discriminator="type"),
]


def _type_tags(union: Any) -> tuple[str, ...]:
    """The `type` tags of a union's classes, read from the classes so no list can fall behind."""
    return tuple(cls.model_fields["type"].default for cls in get_args(union))


EVENT_TYPES: tuple[str, ...] = _type_tags(get_args(Event)[0])
ACTION_TYPES = frozenset(_type_tags(ActionEvent)) | {"forward_result"}
"""Events the console's moderation produced (the reducers' and the recorder's fast test):
the actions, and the platform's answers to forwarded ones."""
AUTOMOD_TYPES = frozenset({"automod", "approve", "deny", "undo"})
"""What the automod reducer folds: the rules' decisions, the moderators' reviews and their undos."""

event_adapter: TypeAdapter[Event] = TypeAdapter(Event)


_SURROGATE = re.compile("[\ud800-\udfff]")


def event_to_json(event: Event) -> bytes:
    """One event as one line of JSON, without the newline.

    A lone surrogate (a source that decoded ``"\\ud800"`` leniently, as Python's `json` does) has
    no UTF-8 form: it is written as U+FFFD, so the event is still recorded rather than lost.
    """
    try:
        return event.__pydantic_serializer__.to_json(event)
    except PydanticSerializationError:
        return _json_without_surrogates(event.model_dump(mode="json"))


def keep_lines(events: Iterable[Event], lines: Iterable[bytes]) -> None:
    """Keep each of `lines`, the JSON its event was just parsed from, as that event's session-log
    line (see `log_line`) when the line says all the log must: its own ``id`` and ``ts`` (else the
    values the model made up would be lost). The caller has checked that the lines hold neither
    ``"seq"`` nor ``"source"`` (the session writes those in; a whole read is checked at once).
    Anything else is kept as is: extra keys, their order, the source's own number formats; reading
    the line back gives the same event."""
    keep = object.__setattr__
    for event, line in zip(events, lines, strict=True):
        fields = event.__pydantic_fields_set__
        if "id" in fields and "ts" in fields:
            if not line.endswith(b"}"):
                line = line.rstrip(b" \t\r")
                if not line.endswith(b"}"):
                    continue
            keep(event, "_line", line)
            fields.add(_KEPT)


_KEPT = "<kept line>"
"""Put in the fields-set of an event whose line was kept: a name no field can have. One set look-up
tells `log_line` whether to read the slot; reading a slot never set goes through pydantic's
``__getattr__`` and cost more than serialising the event. A copy of the event has the mark (it
copies the fields-set) but not the slot, and is serialised."""
_line_slot = _Event.__dict__["_line"]
_SOURCE_TAILS: dict[str, bytes] = {}


def log_line(event: Event) -> bytes:
    """The event's line in the session log, without the newline: the line it was read from with
    its ``seq`` and ``source`` added, when `keep_lines` kept one; else `event_to_json`.

    The recorder writes every event of a 20,000-a-second jsonl feed: the kept line spares it
    serialising each one again (figures in docs/performance.md)."""
    if _KEPT not in event.__pydantic_fields_set__:
        return event_to_json(event)
    try:
        line: bytes = _line_slot.__get__(event)
    except AttributeError:  # a copy: it has the mark, not the line
        return event_to_json(event)
    source = event.source
    tail = _SOURCE_TAILS.get(source)
    if tail is None:
        tail = _SOURCE_TAILS[source] = b',"source":' + json.dumps(source).encode() + b"}"
    return b'%b,"seq":%d%b' % (line[:-1], event.seq, tail)


def _json_without_surrogates(data: Any) -> bytes:
    def scrub(value: Any) -> Any:
        if isinstance(value, str):
            return _SURROGATE.sub("\ufffd", value)
        if isinstance(value, dict):
            return {scrub(k): scrub(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [scrub(v) for v in value]
        return value

    text = json.dumps(scrub(data), ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.encode("utf-8")


event_from_json: Callable[[bytes | str], Event] = event_adapter.validator.validate_json
"""Parse one event line; raises `pydantic.ValidationError` on anything that is not an event.

The compiled validator itself, the fast path of the session reader and the ``jsonl`` source:
`TypeAdapter.validate_json` is a Python wrapper around it that only passes its defaults on, which
a million-line log would pay a million times."""


def event_from_dict(data: Any) -> Event:
    return event_adapter.validate_python(data)
