"""The review queue on screen: a held message is never drawn until approved, `a` lets it in where
it was, `x` keeps it out, from the feed or from the queue (`R`); the count shows in Status."""

from __future__ import annotations

from datetime import UTC
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from backstage_tui.automod.engine import AutomodEngine
from backstage_tui.automod.settings import AutomodSettings
from backstage_tui.events import Approve, AutomodDecision, Deny, Event
from backstage_tui.runtime import SessionRuntime
from backstage_tui.session import SessionReader
from backstage_tui.state import FeedWindow
from backstage_tui.state import automod as automod_module
from backstage_tui.state.feed_filter import FeedFilter
from backstage_tui.tui import review_screen
from backstage_tui.tui.app import BackstageApp
from backstage_tui.tui.feed_lines import HELD_MARK, LAPSED_MARK
from backstage_tui.tui.review_screen import ReviewScreen
from tests.helpers import FakeSource, comment, screen_text, settled, user, wait_for, whole_screen

SIZE = (110, 32)
RULES: dict[str, Any] = {
    "terms": {"slurs": {"terms": ["ban"]}, "meh": {"terms": ["meh"], "outcome": "flag"}},
    **{name: {"enabled": False} for name in ("caps", "repeats", "rate", "waves")},
}


def review_app(tmp_path: Path, events: list[Event]) -> BackstageApp:
    engine = AutomodEngine(AutomodSettings.model_validate(RULES))
    runtime = SessionRuntime(FakeSource(events), sessions_dir=tmp_path, automod=engine)
    return BackstageApp(runtime, title="backstage · test", tz=UTC)


def chat() -> list[Event]:
    return [
        comment(1, "first one"),
        comment(2, "claim at bit.ly/win-now", user("spammer", "Spammer")),
        comment(3, "meh whatever", user("bo", "Bo")),
        comment(4, "you b4n", user("troll", "Troll")),
        comment(5, "last one"),
    ]


PUBLISHED = 5 + 4  # the messages, three decisions and the hide


async def open_queue(
    pilot: Pilot[None], app: BackstageApp, listed: tuple[str, ...]
) -> ReviewScreen:
    """Press `R` and wait until the queue lists `listed`, top to bottom."""
    await pilot.press("R")
    await wait_for(pilot, lambda: isinstance(app.screen, ReviewScreen),
                   description="the review queue is open")  # fmt: skip
    screen = app.screen
    assert isinstance(screen, ReviewScreen)
    await wait_for(pilot, lambda: screen.held_ids == listed,
                   description=f"the queue lists {listed}")  # fmt: skip
    return screen


async def test_held_messages_wait_off_screen_and_approve_lets_them_in(tmp_path: Path) -> None:
    app = review_app(tmp_path, chat())
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, settled(app, PUBLISHED), description="all events folded and drawn")
        await pilot.pause()
        text = screen_text(app)
        assert "bit.ly/win-now" not in text
        assert "Spammer  ⏸ held for review" in text
        assert "Troll  ⊘ hidden by a rule" in text
        assert "⚑ Bo" in text and "meh whatever" in text
        assert "Review   1 held" in whole_screen(app)
        # Select the held message in the feed (the newest is c5; c2 is four up) and approve it.
        await pilot.press("k", "k", "k", "k")
        assert app.feed.selected_event is not None and app.feed.selected_event.id == "c2"
        await pilot.press("a")
        await wait_for(pilot, lambda: not app.runtime.state.automod.held,
                       description="the queue is empty")  # fmt: skip
        await pilot.pause()
        lines = app.feed.screen_lines()
        assert [n for n, line in enumerate(lines) if "bit.ly/win-now" in line] == [
            n for n, line in enumerate(lines) if "Spammer" in line
        ]  # in its place, where the placeholder was
        await wait_for(pilot, lambda: "1 held" not in whole_screen(app),
                       description="the Status pane's review row is gone")  # fmt: skip
        await pilot.press("a")  # no longer held: says so, changes nothing
        await pilot.pause()
    assert app.runtime.log_path is not None
    logged = [e.type for e in SessionReader(app.runtime.log_path).events()]
    assert logged.count("approve") == 1


async def test_the_queue_screen_lists_held_messages_and_x_denies(tmp_path: Path) -> None:
    events = [*chat(), comment(6, "www.other-spam.net", user("bot", "Bot"))]
    app = review_app(tmp_path, events)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, settled(app, PUBLISHED + 2), description="all events folded")
        screen = await open_queue(pilot, app, ("c2", "c6"))  # both, oldest first
        shown = whole_screen(app)
        assert "bit.ly/win-now" in shown and "links" in shown and "www.other-spam.net" in shown
        assert "a: approve" in shown and "x: deny" in shown
        await pilot.press("x")  # the first (highlighted) one
        await wait_for(pilot, lambda: screen.held_ids == ("c6",),
                       description="the denied message left the queue")  # fmt: skip
        await pilot.press("a")
        await wait_for(pilot, lambda: screen.held_ids == (),
                       description="the approved message left the queue")  # fmt: skip
        await wait_for(pilot, lambda: "Nothing is held" in whole_screen(app),
                       description="the queue says it is empty")  # fmt: skip
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, ReviewScreen),
                       description="the queue closed")  # fmt: skip
        await pilot.pause()
        text = screen_text(app)
        assert "Spammer  ⊘ hidden by moderator" in text  # denied: out for good
        assert "www.other-spam.net" in text  # approved
        state = app.runtime.state
        assert state.automod.denied == {"c2"} and state.automod.approved == 1


def test_the_window_knows_a_decision_before_the_state_does() -> None:
    """The decision comes before its message in every batch, so until the state has folded a line
    the view asks the window, and a held message is never drawn for a frame."""
    window = FeedWindow(100)
    held = comment(2, "bit.ly/x", user("spammer"))
    decision = AutomodDecision(rule="links", outcome="hold", target="c2", user=held.user)
    window.add_batch([decision, held, comment(3, "ok")])
    assert window.suppressed_ahead("c2") == "hold"
    assert window.suppressed_ahead("c3") is None


async def test_the_feed_filter_finds_held_messages(tmp_path: Path) -> None:
    """``/is:held`` shows only what waits in the review queue; an approval takes it out."""
    app = review_app(tmp_path, chat())
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, settled(app, PUBLISHED), description="all events folded and drawn")
        app.feed.set_filter(FeedFilter.parse("is:held"))
        await pilot.pause()
        assert [event.id for event in app.feed.window.lines] == ["c2"]
        await app.runtime.act(Approve(target="c2"))
        await wait_for(pilot, lambda: not app.feed.window.lines,
                       description="the approved message left the filtered feed")  # fmt: skip


async def test_a_full_queue_lapses_the_oldest_and_the_feed_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(automod_module, "REVIEW_QUEUE_MAX", 2)
    monkeypatch.setattr(review_screen, "REFRESH_S", 60.0)  # the list changes only when told
    spam = [comment(n, f"win at bit.ly/{n}", user(f"bot{n}", f"Bot{n}")) for n in range(1, 4)]
    app = review_app(tmp_path, [*spam, comment(4, "last one")])
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, settled(app, 4 + 3), description="all events folded and drawn")
        await pilot.pause()
        text = screen_text(app)
        assert f"Bot1  {LAPSED_MARK}" in text
        assert f"Bot2  {HELD_MARK}" in text and f"Bot3  {HELD_MARK}" in text
        assert "bit.ly/1" not in text
        await pilot.press("k", "k", "k", "k")  # the newest (c4) first, then up to c1
        assert app.feed.selected_event is not None and app.feed.selected_event.id == "c1"
        await pilot.press("a")  # lapsed: says so, lets nothing in
        await wait_for(pilot, lambda: any("lapsed unreviewed" in str(n.message)
                                          for n in app._notifications),
                       description="the toast says the message lapsed")  # fmt: skip
        assert app.runtime.state.automod.approved == 0
        screen = await open_queue(pilot, app, ("c2", "c3"))
        await wait_for(pilot, lambda: "· 2 · 1 lapsed unreviewed" in whole_screen(app),
                       description="its title counts those waiting and the lapsed")  # fmt: skip
        assert screen.highlighted_id == "c2"
        # One more hold while the queue is open: the highlighted (oldest) message lapses before
        # the list is drawn again, and `a` says so rather than approving another one.
        automod = app.runtime.state.automod
        await app.runtime.publish(AutomodDecision(rule="links", outcome="hold", target="c9",
                                                  user=user("bot9"), text="bit.ly/9"))  # fmt: skip
        await wait_for(pilot, lambda: "c2" in automod.lapsed, description="c2 lapsed")
        assert screen.highlighted_id == "c2"
        app._notifications.clear()
        await pilot.press("a")
        await wait_for(pilot, lambda: any("lapsed unreviewed" in str(n.message)
                                          for n in app._notifications),
                       description="the toast says the highlighted message lapsed")  # fmt: skip
        assert automod.approved == 0 and list(automod.held) == ["c3", "c9"]


async def test_a_long_queue_lists_its_newest_messages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past `LISTED_MAX` the queue lists its newest messages, still oldest first, and its title
    says how many wait in all; an approval lets the next older one into the list."""
    monkeypatch.setattr(review_screen, "LISTED_MAX", 2)
    spam = [comment(n, f"win at bit.ly/{n}", user(f"bot{n}", f"Bot{n}")) for n in range(1, 4)]
    app = review_app(tmp_path, [*spam, comment(4, "last one")])
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, settled(app, 4 + 3), description="all events folded and drawn")
        screen = await open_queue(pilot, app, ("c2", "c3"))  # the newest two, oldest first
        assert "· 3 · the newest 2 listed" in whole_screen(app)
        await pilot.press("a")  # the highlighted one: c2
        await wait_for(pilot, lambda: screen.held_ids == ("c1", "c3"),
                       description="c1 comes into the list")  # fmt: skip
        assert (
            app.runtime.state.automod.approved == 1 and "c2" not in app.runtime.state.automod.held
        )
        await wait_for(pilot, lambda: "the newest" not in whole_screen(app),
                       description="all listed again: the title says no more")  # fmt: skip


async def test_the_title_follows_the_queue_when_the_list_does_not_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A message older than those listed leaves the queue: the list stays, its count moves."""
    monkeypatch.setattr(review_screen, "LISTED_MAX", 1)
    spam = [comment(n, f"win at bit.ly/{n}", user(f"bot{n}", f"Bot{n}")) for n in range(1, 4)]
    app = review_app(tmp_path, [*spam, comment(4, "last one")])
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, settled(app, 4 + 3), description="all events folded and drawn")
        screen = await open_queue(pilot, app, ("c3",))
        assert "· 3 · the newest 1 listed" in whole_screen(app)
        await app.runtime.act(Deny(target="c1", user=user("bot1")))
        await wait_for(pilot, lambda: "· 2 · the newest 1 listed" in whole_screen(app),
                       description="the title counts two")  # fmt: skip
        assert screen.held_ids == ("c3",)


def test_the_docs_state_the_bound_the_code_keeps() -> None:
    root = Path(__file__).resolve().parents[1]
    cap = f"{automod_module.REVIEW_QUEUE_MAX:,}"
    assert f"The queue keeps the newest **{cap}** held messages" in (
        root / "docs" / "moderation.md"
    ).read_text(encoding="utf-8")
    readme = (root / "README.md").read_text("utf-8")
    assert f"(the queue keeps the newest {cap}; an older one lapses" in readme
    listed = f"{review_screen.LISTED_MAX:,}"
    assert f"the newest {listed} are listed)" in readme
    assert f"(when more than {listed} wait, the newest {listed}," in (
        root / "docs" / "moderation.md"
    ).read_text(encoding="utf-8")
