"""Auto-moderation through the real runtime: decisions are recorded before their messages, reviews
are recorded actions, and a replay (whatever the rules are by then) ends in the live state."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any, ClassVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backstage_tui.automod.engine import AutomodEngine
from backstage_tui.automod.settings import AutomodSettings
from backstage_tui.events import (
    ActionEvent,
    Approve,
    AutomodDecision,
    Comment,
    Deny,
    Event,
    Moderator,
    Undo,
)
from backstage_tui.runtime import SessionRuntime
from backstage_tui.session import SessionReader
from backstage_tui.sources.replay import ReplaySource
from backstage_tui.state import ConsoleState
from backstage_tui.state import automod as automod_module
from tests.helpers import T0, ListSource, comment, user, wait_for

RULES: dict[str, Any] = {
    "terms": {"slurs": {"terms": ["ban"]}, "meh": {"terms": ["meh"], "outcome": "flag"}},
    "links": {"allow": ["tiktok.com"]},
    "caps": {"enabled": False},
    "repeats": {"enabled": False},
    "rate": {"enabled": False},
    "waves": {"enabled": False},
}


def rules(**changes: Any) -> AutomodEngine:
    return AutomodEngine(AutomodSettings.model_validate({**RULES, **changes}))


async def live_session(
    folder: Path, events: list[Event], *reviews: Event, engine: AutomodEngine | None = None
) -> SessionRuntime:
    runtime = SessionRuntime(ListSource(events, stay_open=False), sessions_dir=folder,
                             automod=engine or rules())  # fmt: skip
    await runtime.start()
    await asyncio.wait_for(runtime.wait_source_done(), 30)
    for review in reviews:
        await runtime.act(review)  # type: ignore[arg-type]
    await runtime.close()
    return runtime


async def replayed(log: Path, engine: AutomodEngine | None = None) -> SessionRuntime:
    replay = SessionRuntime(ReplaySource.from_strings({"path": str(log), "speed": "max"}),
                            automod=engine)  # fmt: skip
    assert replay.automod is None  # a replay is never judged again
    await replay.start()
    await asyncio.wait_for(replay.wait_source_done(), 30)
    total = len(SessionReader(log).events())
    await wait_for(None, lambda: replay.state.last_seq >= total, description="replay folded")
    await replay.close()
    return replay


def chat_events() -> list[Event]:
    ann, bo = user("ann"), user("bo")
    return [
        comment(1, "hello all", ann),
        comment(2, "you b4n", bo),  # hidden
        comment(3, "free at bit.ly/x", bo),  # held
        comment(4, "meh stream", ann),  # flagged
        comment(5, "see tiktok.com/@ann", ann),  # allowed link
        comment(6, "promo: www.spam.net", ann),  # held
    ]


async def test_decisions_are_recorded_before_their_messages(tmp_path: Path) -> None:
    live = await live_session(tmp_path, chat_events())
    assert live.log_path is not None
    logged = SessionReader(live.log_path).events()
    kinds = [(e.type, getattr(e, "target", e.id)) for e in logged]
    assert kinds == [
        ("comment", "c1"),
        ("automod", "c2"), ("hide", "c2"), ("comment", "c2"),
        ("automod", "c3"), ("comment", "c3"),
        ("automod", "c4"), ("comment", "c4"),
        ("comment", "c5"),
        ("automod", "c6"), ("comment", "c6"),
    ]  # fmt: skip
    state = live.state
    assert list(state.automod.held) == ["c3", "c6"]
    assert state.automod.flagged == {"c4": "terms.meh"}
    assert state.moderation.hidden == {"c2"}
    assert state.automod.by_rule == {"terms.slurs": 1, "links": 2, "terms.meh": 1}


async def test_approve_and_deny_are_recorded_and_folded(tmp_path: Path) -> None:
    bo = user("bo")
    live = await live_session(
        tmp_path, chat_events(), Approve(target="c3"), Deny(target="c6", user=user("ann")),
        Approve(target="c3"), Deny(target="c1", user=bo),  # no longer held, never held: no-ops
    )  # fmt: skip
    state = live.state
    assert state.automod.held == {}
    assert state.automod.approved == 1 and state.automod.denied_count == 1
    assert state.automod.denied == {"c6"}
    assert state.hidden_from_feed("c6") and not state.hidden_from_feed("c3")
    assert live.log_path is not None
    logged = [e.type for e in SessionReader(live.log_path).events()]
    assert logged[-4:] == ["approve", "deny", "approve", "deny"]


async def test_an_undone_review_puts_the_message_back_in_the_queue(tmp_path: Path) -> None:
    runtime = SessionRuntime(ListSource(chat_events(), stay_open=False), sessions_dir=tmp_path,
                             automod=rules())  # fmt: skip
    await runtime.start()
    await asyncio.wait_for(runtime.wait_source_done(), 30)
    automod = runtime.state.automod
    await wait_for(None, lambda: "c6" in automod.held, description="both messages held")
    denied = await runtime.act(Deny(target="c3", user=user("bo")))
    approved = await runtime.act(Approve(target="c6"))
    assert denied.changed and approved.changed and not automod.held
    assert not (await runtime.act(Approve(target="c6"))).changed  # no longer held: nothing
    for review in (denied, approved):
        assert (await runtime.act(Undo(action=review.event.id))).changed
    assert set(automod.held) == {"c3", "c6"} and automod.denied == set()
    assert automod.approved == automod.denied_count == 0
    await runtime.close()
    assert runtime.log_path is not None
    assert ConsoleState.fold(SessionReader(runtime.log_path).events()) == runtime.state


async def test_replay_reads_the_decisions_whatever_the_rules_are_now(tmp_path: Path) -> None:
    live = await live_session(tmp_path, chat_events(), Approve(target="c3"))
    assert live.log_path is not None
    # Other rules now (the config changed): the replay still shows what the live session decided.
    other = rules(terms={"all": {"terms": ["*"]}}, links={"enabled": False})
    replay = await replayed(live.log_path, engine=other)
    assert replay.state == live.state
    assert replay.state.automod.held.keys() == {"c6"}
    assert ConsoleState.fold(SessionReader(live.log_path).events()) == live.state


async def test_a_replay_lapses_the_same_messages_from_a_full_queue(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(automod_module, "REVIEW_QUEUE_MAX", 2)
    spam = [comment(n, f"win at bit.ly/{n}", user(f"bot{n}")) for n in range(1, 6)]
    live = await live_session(tmp_path, spam, Approve(target="c4"))
    automod = live.state.automod
    assert list(automod.held) == ["c5"] and list(automod.lapsed) == ["c1", "c2", "c3"]
    assert live.log_path is not None
    replay = await replayed(live.log_path)
    assert replay.state == live.state


async def test_no_engine_or_no_rules_publish_nothing(tmp_path: Path) -> None:
    off = AutomodEngine(AutomodSettings(enabled=False))
    live = await live_session(tmp_path, chat_events(), engine=off)
    assert live.automod is None
    assert live.state.stats.events == len(chat_events())


TEXTS = ["hi", "ban", "B4N now", "bit.ly/x", "meh", "tiktok.com/x", "fine", "w w w.spam.net"]


@settings(max_examples=20, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(
    st.lists(st.tuples(st.sampled_from(TEXTS), st.sampled_from(["ann", "bo", "cy"])), max_size=25),
    st.lists(st.tuples(st.booleans(), st.integers(0, 30)), max_size=10),
)
def test_replaying_any_session_reproduces_the_automod_state(
    tmp_path_factory: Any, messages: list[tuple[str, str]], reviews: list[tuple[bool, int]]
) -> None:
    """Random messages and random approvals and denials (of held messages or not): the state folded
    from the recorded log equals the live state, automod and moderation included."""
    folder = tmp_path_factory.mktemp("s")
    events: list[Event] = [
        Comment(id=f"m{n}", ts=T0 + n, user=user(who), text=text)
        for n, (text, who) in enumerate(messages)
    ]
    actions: list[Event] = [
        Approve(target=f"m{n}") if ok else Deny(target=f"m{n}", user=user("ann"))
        for ok, n in reviews
    ]

    async def scenario() -> None:
        live = await live_session(folder, events, *actions)
        assert live.log_path is not None
        logged = SessionReader(live.log_path).events()
        assert ConsoleState.fold(logged) == live.state
        decided = {e.target for e in logged if isinstance(e, AutomodDecision)}
        assert set(live.state.automod.held) <= decided

    asyncio.run(scenario())


async def test_the_ladder_acts_through_the_runtime_and_undo_lifts_it(tmp_path: Path) -> None:
    """A repeat offender is muted, then blocked, by actions recorded like a moderator's (queued for
    the app: TikTok's tooling cannot mute); the moderator's undo lifts the rules' block."""
    troll = user("troll")
    events: list[Event] = [comment(n, "ban", troll, ts=T0 + n) for n in range(1, 5)]
    runtime = SessionRuntime(ListSource(events, stay_open=False), sessions_dir=tmp_path,
                             automod=rules())  # fmt: skip
    await runtime.start()
    await asyncio.wait_for(runtime.wait_source_done(), 30)
    moderation = runtime.state.moderation
    await wait_for(None, lambda: troll.id in moderation.blocked, description="the rules blocked")
    assert troll.id in moderation.muted
    result = await runtime.act(Undo(action=moderation.blocked[troll.id]))
    assert result.changed and troll.id not in moderation.blocked
    await runtime.close()
    assert runtime.log_path is not None
    logged = SessionReader(runtime.log_path).events()
    by_rules = [
        (e.type, getattr(e, "effect", "")) for e in logged if getattr(e, "by", "") == "automod"
    ]
    assert by_rules == [
        ("hide", "local"), ("hide", "local"), ("mute", "queued"), ("hide", "local"),
        ("mute", "queued"), ("hide", "local"), ("block", "queued"),
    ]  # fmt: skip
    assert ConsoleState.fold(logged) == runtime.state


async def test_undoing_a_rule_hide_takes_the_offence_back(tmp_path: Path) -> None:
    """An offence the moderator undoes (a rule's hide shown again, a denial undone) no longer
    counts: the ladder climbs from where it stood before it."""
    troll = user("troll")
    runtime = SessionRuntime(ListSource([comment(1, "ban", troll)], stay_open=False),
                             sessions_dir=tmp_path, automod=rules())  # fmt: skip
    await runtime.start()
    await asyncio.wait_for(runtime.wait_source_done(), 30)
    engine = runtime.automod
    assert engine is not None
    await wait_for(None, lambda: engine.offences(troll.id) == 1, description="one offence")
    hide = next(e for e in runtime.state.moderation.log if e.type == "hide")
    result = await runtime.act(Undo(action=hide.id))
    assert result.changed and engine.offences(troll.id) == 0
    await runtime.act(Undo(action=hide.id))  # nothing left to undo: the count stays
    assert engine.offences(troll.id) == 0
    await runtime.close()


class HidingSource(ListSource):
    """A source whose platform can hide a message: the rules' hides are forwarded to it."""

    capabilities: ClassVar[frozenset[str]] = frozenset({"hide"})

    async def act(self, action: ActionEvent) -> bool:
        self.acted.append(action)
        return True


async def test_a_rule_hide_is_forwarded_where_the_platform_can_hide(tmp_path: Path) -> None:
    source = HidingSource([comment(1, "hi"), comment(2, "b4n"), comment(3, "bye")], stay_open=False)
    runtime = SessionRuntime(source, sessions_dir=tmp_path, automod=rules())
    await runtime.start()
    await asyncio.wait_for(runtime.wait_source_done(), 30)
    await wait_for(None, lambda: bool(source.acted), description="the hide reached the platform")
    await runtime.close()
    (forwarded,) = source.acted
    assert (
        forwarded.type == "hide" and forwarded.by == "automod" and forwarded.effect == "forwarded"
    )
    assert runtime.log_path is not None
    logged = SessionReader(runtime.log_path).events()
    results = [e for e in logged if e.type == "forward_result"]
    assert len(results) == 1 and results[0].ok  # type: ignore[attr-defined]
    assert runtime.state.moderation.is_hidden("c2")


async def test_a_viewer_on_the_console_roster_is_not_judged(tmp_path: Path) -> None:
    """The console's own moderators (appointed with `m`) are exempt, like the platform's."""
    deputy = user("deputy")
    runtime = SessionRuntime(ListSource([], stay_open=True), sessions_dir=tmp_path,
                             automod=rules())  # fmt: skip
    await runtime.start()
    before = await runtime.publish(comment(1, "ban", deputy))
    await wait_for(None, lambda: runtime.state.last_seq >= before.seq, description="folded")
    assert runtime.automod is not None and runtime.automod.judge(comment(2, "ban", deputy))
    await runtime.act(Moderator(user=deputy, target="c1"))
    assert runtime.automod.judge(comment(3, "ban", deputy)) == []
    await runtime.close()
