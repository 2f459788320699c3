"""The replay screen's keys: pause, speed, step, seek by time, next / previous action, and the
position bar; each seek leaves exactly the state folding the log up to there gives. In a live
session the same keys keep their live meaning (`space` freezes the feed)."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Callable
from datetime import UTC
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from backstage_tui.events import Event
from backstage_tui.runtime import SessionRuntime
from backstage_tui.session.replay_index import MODERATION_TYPES
from backstage_tui.sources.replay import ReplaySource
from backstage_tui.state import ConsoleState
from backstage_tui.tui import BackstageApp
from backstage_tui.tui.help_screen import HelpScreen
from backstage_tui.tui.replay_screen import ReplayScreen
from tests.helpers import (
    comment,
    help_lines,
    make_app,
    screen_text,
    settled,
    wait_for,
    whole_screen,
)
from tests.replay_logs import record_demo_with_actions
from tests.test_replay_index import as_replayed
from tests.test_tui_keys import remap_every_id

SIZE = (120, 36)
COUNT = 600
"""Demo events in the log (two a second: five minutes), with an action about every 97."""
SnapCompare = Callable[..., bool]


@pytest.fixture(scope="module")
def session_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("replay-log")
    recorded = asyncio.run(record_demo_with_actions(folder, COUNT))
    # A fixed name: the Status pane shows it (and the snapshot must not change with the clock).
    return Path(shutil.move(recorded, folder / "session.jsonl"))


@pytest.fixture(scope="module")
def events(session_log: Path) -> list[Event]:
    return as_replayed(session_log)


def replay_app(log: Path, *, speed: str = "max", paused: bool = True) -> BackstageApp:
    source = ReplaySource.from_strings({"path": str(log), "speed": speed})
    source.set_paused(paused)
    return BackstageApp(SessionRuntime(source), tz=UTC)


def replay_of(app: BackstageApp) -> ReplaySource:
    assert isinstance(app.replay, ReplaySource)
    return app.replay


def bar(app: BackstageApp) -> str:
    """The position bar (the line above the footer)."""
    return whole_screen(app).splitlines()[-2]


async def indexed(pilot: Pilot[Any], app: BackstageApp) -> None:
    await wait_for(pilot, lambda: replay_of(app).index is not None, description="the index")


async def at(pilot: Pilot[Any], app: BackstageApp, position: int, shown: str = "") -> None:
    """Wait until the replay is at `position` with the state folded and the bar saying `shown`."""
    replay = replay_of(app)
    await wait_for(
        pilot,
        lambda: (
            replay.position == position
            and not replay.where().seeking
            and app.runtime.state.last_seq == position
            and shown in bar(app)
        ),
        description=f"the replay at {position} with {shown!r} in the bar",
    )


def folded(events: list[Event], position: int) -> ConsoleState:
    return ConsoleState.fold(events[:position])


async def test_space_pauses_and_plays_on(session_log: Path) -> None:
    app = replay_app(session_log, speed="1", paused=False)
    replay = replay_of(app)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: replay.position >= 2, description="two events played")
        assert "▶ playing" in bar(app)
        await pilot.press("space")
        assert replay.paused
        stopped = replay.position
        await wait_for(pilot, lambda: "⏸ paused" in bar(app), description="the bar says paused")
        # The log has an event every half second: at 1x, a second without one is a pause.
        await pilot.pause(1.0)
        assert replay.position == stopped
        await pilot.press("space")
        await wait_for(pilot, lambda: replay.position > stopped, description="playing on")
        assert "▶ playing" in bar(app)


async def test_plus_and_minus_step_through_the_speeds(session_log: Path) -> None:
    app = replay_app(session_log, speed="1")
    replay = replay_of(app)
    async with app.run_test(size=SIZE) as pilot:
        seen = []
        for _ in range(4):
            await pilot.press("plus")
            seen.append(replay.speed)
        assert seen == [2.0, 4.0, float("inf"), float("inf")]
        await wait_for(pilot, lambda: " max " in bar(app), description="max in the bar")
        await wait_for(pilot, lambda: "@ max" in whole_screen(app), description="Status: @ max")
        seen = []
        for _ in range(5):
            await pilot.press("minus")
            seen.append(replay.speed)
        assert seen == [4.0, 2.0, 1.0, 0.5, 0.5]
        await wait_for(pilot, lambda: " 0.5x " in bar(app), description="0.5x in the bar")
        assert "speed 0.5x" in [str(n.message) for n in app._notifications]


async def test_full_stop_plays_one_event(session_log: Path, events: list[Event]) -> None:
    app = replay_app(session_log)
    replay = replay_of(app)
    async with app.run_test(size=SIZE) as pilot:
        await indexed(pilot, app)
        assert replay.position == 0
        for n in (1, 2, 3):
            await pilot.press("full_stop")
            await at(pilot, app, n, f"event {n} / {len(events)}")
        assert app.runtime.state == folded(events, 3)
        # While playing, `.` pauses and plays one more.
        await pilot.press("space")
        await wait_for(pilot, lambda: replay.position > 3, description="playing")
        await pilot.press("full_stop")
        assert replay.paused
        stopped = replay.position
        await wait_for(pilot, lambda: app.runtime.state.last_seq == stopped, description="folded")
        await pilot.pause(0.2)
        assert replay.position == stopped


async def test_arrows_and_braces_seek_by_time(session_log: Path, events: list[Event]) -> None:
    app = replay_app(session_log)
    replay = replay_of(app)
    start = events[0].ts

    def through(seconds: float) -> int:
        return sum(1 for e in events if e.ts <= start + seconds)

    async with app.run_test(size=SIZE) as pilot:
        await indexed(pilot, app)
        await pilot.press("full_stop")
        await at(pilot, app, 1, "0:00 / 4:59")
        for key, seconds, shown in (
            ("right", 10, "0:10 / 4:59"),
            ("shift+right", 70, "1:10 / 4:59"),
            ("right_curly_bracket", 130, "2:10 / 4:59"),
            ("left", 120, "2:00 / 4:59"),
            ("left_curly_bracket", 60, "1:00 / 4:59"),
            ("shift+left", 0, "0:00 / 4:59"),
        ):
            await pilot.press(key)
            position = through(seconds)
            await at(pilot, app, position, shown)
            assert f"event {position} / {len(events)}" in bar(app)
            assert app.runtime.state == folded(events, position), key
            # The feed shows the state's buffer: its newest line is the newest event shown there.
            newest = app.runtime.state.feed.items[-1]
            assert app.feed.window.lines[-1] is newest or app.feed.window.lines[-1] == newest
        assert replay.paused  # seeking does not start a paused replay


async def test_greater_and_less_go_to_the_next_and_previous_action(
    session_log: Path, events: list[Event]
) -> None:
    actions = [p for p, e in enumerate(events) if e.type in MODERATION_TYPES]
    pin, hide = events[actions[0]], events[actions[1]]
    assert (pin.type, hide.type) == ("pin", "hide")
    app = replay_app(session_log)
    async with app.run_test(size=SIZE) as pilot:
        await indexed(pilot, app)
        await pilot.press("greater_than_sign")
        await at(pilot, app, actions[0] + 1)
        assert app.runtime.state == folded(events, actions[0] + 1)
        assert list(app.runtime.state.pins.pinned) == [pin.target]  # type: ignore[attr-defined]
        pinned_text = app.runtime.state.pins.pinned[pin.target].text  # type: ignore[attr-defined]
        await wait_for(pilot, lambda: pinned_text[:10] in whole_screen(app),
                       description="the Pinned pane shows the pin")  # fmt: skip
        await pilot.press("greater_than_sign")
        await at(pilot, app, actions[1] + 1)
        await wait_for(pilot, lambda: "hidden by moderator" in screen_text(app),
                       description="the feed shows the hidden message as hidden")  # fmt: skip
        await pilot.press("less_than_sign")
        await at(pilot, app, actions[0] + 1)
        assert app.runtime.state == folded(events, actions[0] + 1)
        await pilot.press("less_than_sign")  # nothing before the first action: it stays
        await wait_for(
            pilot,
            lambda: (
                "no moderation action before this point"
                in [str(n.message) for n in app._notifications]
            ),
            description="the toast that says so",
        )
        assert replay_of(app).position == actions[0] + 1
        for _ in actions[1:]:
            await pilot.press("greater_than_sign")
        await at(pilot, app, actions[-1] + 1)
        assert app.runtime.state == folded(events, actions[-1] + 1)


async def test_the_end_waits_for_a_seek(session_log: Path, events: list[Event]) -> None:
    app = replay_app(session_log, paused=False)
    replay = replay_of(app)
    async with app.run_test(size=SIZE) as pilot:
        # The index may finish a moment after the end is reached: the total shows once it has.
        whole = f"event {len(events)} / {len(events)}"
        await wait_for(
            pilot,
            lambda: replay.at_end and "■ end" in bar(app) and whole in bar(app),
            description="the end, with the total",
        )
        assert app.runtime.state == folded(events, len(events))
        seeks: list[int] = []
        app.runtime.restored.append(lambda: seeks.append(app.runtime.state.last_seq))
        await pilot.press("left")
        await wait_for(pilot, lambda: bool(seeks), description="back from the end")
        assert seeks[0] < len(events)
        await wait_for(
            pilot,
            lambda: replay.at_end and app.runtime.state.last_seq == len(events),
            description="played to the end again",
        )
        assert app.runtime.state == folded(events, len(events))


async def test_help_lists_the_replay_keys(session_log: Path) -> None:
    app = replay_app(session_log)
    async with app.run_test(size=(200, 50)) as pilot:
        assert isinstance(app.screen, ReplayScreen)
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), description="help")
        lines = help_lines(app)
        assert "Replay" in lines
        rows = [line.split(None, 1) for line in lines]
        for row in (
            ["space", "Pause the replay, or play on"],
            ["shift+←/{", "Go back 1 minute"],
            [">", "Go to the next moderation action (pins, hides, mutes, the rules' decisions...)"],
        ):
            assert row in rows
        # In the help, space belongs to the replay, not to the feed's freeze.
        assert not any(row[1:] and row[1].startswith("Freeze the whole feed") for row in rows)


async def test_the_replay_keys_follow_the_keymap(session_log: Path) -> None:
    keymap = {i: key for i, key in remap_every_id().items() if i.startswith("replay.")}
    source = ReplaySource.from_strings({"path": str(session_log), "speed": "max"})
    source.set_paused(True)
    app = BackstageApp(SessionRuntime(source), tz=UTC, keymap=keymap)
    async with app.run_test(size=(200, 50)) as pilot:
        await indexed(pilot, app)
        shown = f" {keymap['replay.pause']} Pause "
        await wait_for(pilot, lambda: shown in f" {whole_screen(app).splitlines()[-1]} ",
                       description=f"the footer shows {shown!r}")  # fmt: skip
        assert " space Pause " not in f" {whole_screen(app).splitlines()[-1]} "
        await pilot.press("full_stop", "greater_than_sign", "right")
        await pilot.pause()
        assert source.position == 0 and not source.where().seeking
        await pilot.press(keymap["replay.step"])
        await at(pilot, app, 1)
        await pilot.press(keymap["replay.next_action"])
        index = source.index
        assert index is not None
        await at(pilot, app, index.actions[0] + 1)
        await pilot.press(keymap["replay.pause"])
        assert not source.paused


async def test_a_live_keeps_its_own_space(tmp_path: Path) -> None:
    app = make_app(tmp_path, [comment(1, "one"), comment(2, "two")], record=False)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, settled(app, 2), description="the feed took both")
        assert not isinstance(app.screen, ReplayScreen) and app.replay is None
        assert not app.query("ReplayBar")
        await pilot.press("space")
        await wait_for(pilot, lambda: app.feed.paused, description="space froze the feed")


def test_snapshot_of_the_replay_screen(snap_compare: SnapCompare, session_log: Path) -> None:
    app = replay_app(session_log)

    async def to_the_second_action(pilot: Pilot[Any]) -> None:
        await indexed(pilot, app)
        await pilot.press("greater_than_sign", "greater_than_sign")
        index = replay_of(app).index
        assert index is not None
        await at(pilot, app, index.actions[1] + 1, "event")
        await pilot.pause(0.2)

    assert snap_compare(app, terminal_size=SIZE, run_before=to_the_second_action)
