"""Polls in a real session: the demo's viewers vote, moderation takes votes back, the poll closes
by its time on the stream's clock, and the session log folds back into exactly the same polls."""

from __future__ import annotations

from pathlib import Path

from backstage_tui.events import Comment, Event, Hide, Mute, PollStart
from backstage_tui.runtime import SessionRuntime
from backstage_tui.session import SessionReader
from backstage_tui.sources.demo import DemoSource, DemoStream
from backstage_tui.state import ConsoleState
from backstage_tui.state.polls import Poll
from tests.helpers import T0, wait_for

OPTIONS = ("chips", "popcorn", "nachos")


def _votes(stream: DemoStream, count: int) -> list[tuple[str, str, str]]:
    poll = Poll("p", "?", OPTIONS, [0, 0, 0], 0.0)
    return [
        (e.id, e.user.id, e.text)
        for e in (next(stream) for _ in range(count))
        if isinstance(e, Comment) and poll.vote_for(e.text) is not None
    ]


def test_the_demo_s_votes_are_seeded_and_leave_the_rest_of_the_stream_alone() -> None:
    def run(poll: bool) -> list[Event]:
        stream = DemoStream(seed=3, start=T0, rate=50)
        head = [next(stream) for _ in range(20)]
        if poll:
            stream.open_poll(OPTIONS, duration_s=10)
        return head + [next(stream) for _ in range(600)]

    voting, again, quiet = run(poll=True), run(poll=True), run(poll=False)
    assert voting == again, "the same seed, the same votes"
    shape = [(e.id, e.type, e.ts, getattr(e, "user", None)) for e in voting]
    assert shape == [(e.id, e.type, e.ts, getattr(e, "user", None)) for e in quiet], (
        "only the words of some comments change: who says what when stays the seed's"
    )
    poll = Poll("p", "?", OPTIONS, [0, 0, 0], 0.0)
    texts = [e.text for e in voting[20:] if isinstance(e, Comment)]
    votes = [t for t in texts if poll.vote_for(t) is not None]
    assert len(votes) > 40, "a good share of the chat votes"
    assert {"1", "2", "3"} & set(votes) and any(t.startswith("!vote") for t in votes)
    assert any(t.rstrip("!").lower() in OPTIONS and t != t.lower() for t in votes), "CHIPS!!"


def test_the_demo_stops_voting_when_the_poll_ends_on_its_clock() -> None:
    stream = DemoStream(seed=4, start=T0, rate=50)
    stream.open_poll(OPTIONS, duration_s=2)  # 100 events
    assert _votes(stream, 100) and not _votes(stream, 300)


async def test_demo_votes_moderation_and_replay_of_the_log(tmp_path: Path) -> None:
    source = DemoSource.from_strings({"rate": "400", "seed": "5"})
    runtime = SessionRuntime(source, sessions_dir=tmp_path)
    await runtime.start()
    try:
        await wait_for(None, lambda: runtime.state.last_seq >= 40, description="the demo runs")
        started = await runtime.act(
            PollStart(question="Snack?", options=OPTIONS, duration_s=3, first_vote_only=False)
        )
        assert started.detail == "done"
        polls = runtime.state.polls
        await wait_for(None, lambda: polls.polls[0].voters >= 10, timeout=20,
                       description="the demo's viewers vote")  # fmt: skip
        poll = polls.polls[0]
        ballot_user, ballot = next(iter(poll.ballots.items()))
        await runtime.act(Hide(target=ballot.message))
        other = next(u for u, b in poll.ballots.items() if u != ballot_user and b.counted)
        voter = next(e.user for e in runtime.state.feed.items if getattr(e, "user", None)
                     and e.user.id == other)  # type: ignore[union-attr]  # fmt: skip
        await runtime.act(Mute(user=voter, duration_s=600))
        await wait_for(None, lambda: poll.closed, timeout=30,
                       description="the poll closed when the stream's clock passed its end")  # fmt: skip
        assert poll.closed_by == "time" and poll.voters > 20
        assert sum(1 for c in poll.counts if c) >= 2, "a spread, not one option"
    finally:
        await runtime.close()
    assert runtime.log_path is not None
    replayed = ConsoleState.fold(SessionReader(runtime.log_path).events())
    assert replayed.polls.snapshot() == runtime.state.polls.snapshot()
    assert replayed.polls.results() == runtime.state.polls.results()
