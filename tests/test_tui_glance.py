"""The lists worked through and the live at a glance, at the keyboard: `Q` (mark answered, pin,
find in the feed), `P` on several pins (a digit picks which), `L`'s mark done, and the Status pane's
guests, queues and sparklines. Each action goes through the runtime, so it is recorded and replays."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable

from backstage_tui.events import Event, Guest, Question, Viewers
from backstage_tui.session import SessionReader
from backstage_tui.state import ConsoleState
from backstage_tui.tui.app import BackstageApp
from backstage_tui.tui.moderation_screens import ListsScreen
from backstage_tui.tui.panes import age_label
from backstage_tui.tui.pick_screen import PickScreen
from backstage_tui.tui.questions_screen import QuestionsScreen
from tests.helpers import T0, comment, make_app, settled, user, wait_for, whole_screen

SIZE = (150, 45)
ANN, BO = user("ann", "Ann"), user("bo", "Bo")


def status_text(app: BackstageApp) -> str:
    return str(app.status.render())


def pinned_text(app: BackstageApp) -> str:
    return str(app.pinned.body.render())


def toasts(app: BackstageApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def test_q_lists_questions_marks_one_answered_pins_one_and_finds_one(tmp_path: Path) -> None:
    events: list[Event] = [
        Question(id="q1", ts=T0 + 1, user=ANN, text="what game is this"),
        comment(2, "when is the next stream?", BO),
        comment(3, "nice stream", ANN),
        *[comment(n, f"chat {n}") for n in range(4, 30)],
    ]
    app = make_app(tmp_path, events)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, settled(app, len(events)), description="the events")
        await wait_for(pilot, lambda: "2 to answer (Q)" in status_text(app),
                       description="Status counts the open questions")  # fmt: skip
        await pilot.press("Q")
        await wait_for(pilot, lambda: isinstance(app.screen, QuestionsScreen), description="Q")
        screen = app.screen
        assert isinstance(screen, QuestionsScreen)
        table = screen.query_one(DataTable)
        assert [str(k.value) for k in table.rows] == ["q1", "c2"]
        cells = [str(cell) for row in range(table.row_count) for cell in table.get_row_at(row)]
        assert "Q&A" in cells and "when is the next stream?" in cells
        await pilot.press("x")  # q1 answered: it moves below the open one
        await wait_for(pilot, lambda: app.runtime.state.question_done("q1"), description="done")
        await wait_for(pilot, lambda: [str(k.value) for k in table.rows] == ["c2", "q1"],
                       description="the answered question goes after the open one")  # fmt: skip
        assert any(t.startswith("answered · on this console") for t in toasts(app))
        await pilot.press("p")  # the cursor stayed on q1: pin it
        await wait_for(pilot, lambda: "q1" in app.runtime.state.pins.pinned, description="pin")
        await pilot.press("up", "enter")  # c2: find it in the feed
        await wait_for(pilot, lambda: app.screen is not screen, description="the list closes")
        selected = app.feed.selected_event
        assert selected is not None and selected.id == "c2"
        await wait_for(pilot, lambda: "1 to answer" in status_text(app), description="Status")
        await pilot.press("escape", "Q")
        await wait_for(pilot, lambda: isinstance(app.screen, QuestionsScreen), description="Q")
        await pilot.press("down", "x")  # q1 again: opened again (its mark undone)
        await wait_for(pilot, lambda: not app.runtime.state.question_done("q1"),
                       description="opened again")  # fmt: skip
    assert app.runtime.log_path is not None
    logged = SessionReader(app.runtime.log_path).events()
    assert [e.type for e in logged if e.type in ("mark_done", "pin", "undo")] == [
        "mark_done",
        "pin",
        "undo",
    ]
    replayed = ConsoleState.fold(logged)
    assert not replayed.question_done("q1") and "q1" in replayed.pins.pinned


async def test_p_with_several_pins_asks_which_by_digit(tmp_path: Path) -> None:
    events = [comment(n, f"message {n}", ANN if n % 2 else BO) for n in range(1, 4)]
    app = make_app(tmp_path, events)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, settled(app, 3), description="the events")
        for ups in range(3):  # pin c3, then c2, then c1
            await pilot.press(*["k"] * (ups + 1), "p", "escape")
            await wait_for(pilot, lambda n=ups: len(app.runtime.state.pins.pinned) == n + 1,
                           description=f"pin {ups + 1}")  # fmt: skip
        assert list(app.runtime.state.pins.pinned) == ["c3", "c2", "c1"]
        await wait_for(pilot, lambda: "1 📌" in pinned_text(app) and "3 📌" in pinned_text(app),
                       description="the Pinned pane numbers its pins")  # fmt: skip
        await pilot.press("P")
        await wait_for(pilot, lambda: isinstance(app.screen, PickScreen), description="chooser")
        shown = whole_screen(app)
        assert "Unpin which?" in shown and "1  Ann: message 1" in shown  # newest first
        assert "3  Ann: message 3" in shown
        await pilot.press("2")  # c2
        await wait_for(pilot, lambda: list(app.runtime.state.pins.pinned) == ["c3", "c1"],
                       description="the second newest unpinned")  # fmt: skip
        await pilot.press("P")
        await wait_for(pilot, lambda: isinstance(app.screen, PickScreen), description="chooser")
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, PickScreen), description="back")
        assert list(app.runtime.state.pins.pinned) == ["c3", "c1"], "escape unpins nothing"
        await pilot.press("k", "P")  # the selected message is pinned: no question asked
        await wait_for(pilot, lambda: list(app.runtime.state.pins.pinned) == ["c1"],
                       description="the selected pin")  # fmt: skip
        await pilot.press("escape", "P")  # the only pin left: no question either
        await wait_for(pilot, lambda: not app.runtime.state.pins.pinned, description="none")


async def test_the_lists_are_worked_through_with_mark_done(tmp_path: Path) -> None:
    events = [comment(1, "what a play", ANN), comment(2, "hello", BO)]
    app = make_app(tmp_path, events)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, settled(app, 2), description="the events")
        await pilot.press("k", "s", "k", "h", "escape")
        moderation = app.runtime.state.moderation
        await wait_for(pilot, lambda: moderation.highlights and moderation.shoutouts,
                       description="a highlight and a shout-out")  # fmt: skip
        await pilot.press("L")
        await wait_for(pilot, lambda: isinstance(app.screen, ListsScreen), description="L")
        await pilot.press("x")  # the highlight (first row)
        await wait_for(pilot, lambda: moderation.is_done("highlight", "c1"), description="done")
        await pilot.press("down", "space")
        await wait_for(pilot, lambda: moderation.is_done("shoutout", BO.id), description="done")
        assert "✓" in whole_screen(app)
        await pilot.press("x")  # again: open
        await wait_for(pilot, lambda: not moderation.is_done("shoutout", BO.id),
                       description="opened again")  # fmt: skip


async def test_status_shows_guests_queues_and_sparklines(tmp_path: Path) -> None:
    events: list[Event] = [Viewers(ts=T0, count=100)]
    for minute in range(5):
        events += [comment(minute * 60 + n, f"m{minute}") for n in range(1, 2 + minute * 3)]
        events.append(Viewers(ts=T0 + minute * 60 + 30, count=100 + 50 * minute))
    events += [Guest(ts=T0 + 200, user=ANN, action="join"), comment(290, "is this live?", BO)]
    app = make_app(tmp_path, events)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, settled(app, len(events)), description="the events")
        await wait_for(pilot, lambda: "Guests   Ann 1:30" in status_text(app),
                       description="the guest and their time on")  # fmt: skip
        shown = status_text(app)
        assert "Asked    1 to answer (Q)" in shown
        assert "In app   nothing to do" in shown
        rows = shown.splitlines()
        viewers = rows.index(next(r for r in rows if r.startswith("Viewers")))
        assert rows[viewers + 1].strip() == "▁▃▅▆█"  # a minute a block, the newest on the right
        chat = rows.index(next(r for r in rows if r.startswith("Chat")))
        assert rows[chat + 1].strip()[-1] == "█" and rows[chat + 1].strip()[0] == "▁"


def test_ages_read_in_a_few_characters() -> None:
    assert [age_label(s) for s in (2, 42, 300, 3600, 4800)] == [
        "just now", "42 s", "5 min", "1 h", "1 h 20 min"
    ]  # fmt: skip
    assert age_label(2, ago=False) == "2 s"
    assert [age_label(s, ago=False) for s in (61, 119, 3599)] == ["2 min", "2 min", "1 h"]


async def test_at_80x24_the_status_pane_fits_without_scrolling(tmp_path: Path) -> None:
    """The narrow layout's side shows one pane at a time, about 16 columns wide: Status is drawn
    compact there, every row on view."""
    events: list[Event] = [Viewers(ts=T0, count=12_345)]
    events += [comment(n, "a question?" if n % 5 == 0 else "chat", ts=T0 + n) for n in range(130)]
    events += [Guest(ts=T0 + 10, user=user("fer", "Fernanda Longname"), action="join"),
               Guest(ts=T0 + 20, user=BO, action="join")]  # fmt: skip
    events.sort(key=lambda e: e.ts)
    app = make_app(tmp_path, events)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, settled(app, len(events)), description="the events")
        while app.side.current_pane is not app.status:
            await pilot.press("v")
        await wait_for(pilot, lambda: "Asked 26 (Q)" in status_text(app),
                       description="the compact Status")  # fmt: skip
        await pilot.pause(0.1)
        shown = status_text(app)
        assert "Guests \nFernanda… 1:59\nBo 1:49" in shown
        assert "Viewers 12,345" in shown and "Log " in shown
        side = [line[60:] for line in whole_screen(app).splitlines()]
        assert "fake · test" in side[1], "the first row on view"
        assert any("Log 1" in line for line in side), "the last row on view"
        assert str(app.runtime.log_path) not in shown.replace("\n", "")
