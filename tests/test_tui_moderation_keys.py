"""The moderation keys added with the effect model: each on the selected message, recorded as an
action with its effect, stated in the toast, listed in the In the app list and the moderation log."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable, Input

from backstage_tui.events import Comment
from backstage_tui.runtime import SessionRuntime
from backstage_tui.session import SessionReader
from backstage_tui.tui.app import BackstageApp
from backstage_tui.tui.confirm import ConfirmScreen
from backstage_tui.tui.line_screen import LineScreen
from backstage_tui.tui.moderation_screens import ListsScreen, ModerationLogScreen, TodoScreen
from backstage_tui.tui.pick_screen import PickScreen
from backstage_tui.tui.user_card import UserCard
from tests.helpers import T0, FakeSource, comment, make_app, screen_text, settled, user, wait_for

SIZE = (120, 40)
TROLL = user("troll", "Troll")


def toasts(app: BackstageApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def toast(pilot: object, app: BackstageApp, part: str) -> str:
    await wait_for(pilot, lambda: any(part in t for t in toasts(app)),  # type: ignore[arg-type]
                   description=f"a toast with {part!r}")  # fmt: skip
    return next(t for t in toasts(app) if part in t)


def status_text(app: BackstageApp) -> str:
    return str(app.status.render())


async def test_a_pin_on_a_line_that_left_the_state_buffer_still_pins(tmp_path: Path) -> None:
    """Found on the demo at 3,000 events/s: select a comment, wait, press p: the toast said pinned
    and the Pinned pane stayed empty, because the reducer looked the target up in the feed's
    bounded buffer. The pin now carries the comment."""
    events = [comment(1, "the one to pin", user("bo", "Bo")), comment(2, "next")]
    runtime = SessionRuntime(FakeSource(events), sessions_dir=tmp_path, feed_capacity=100)
    app = BackstageApp(runtime, feed_capacity=100)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, settled(app, 2), description="the first events")
        await pilot.press("g")  # the oldest: c1, and the feed pauses
        for n in range(3, 400):
            await runtime.publish(comment(n, f"flood {n}"))
        await wait_for(pilot, lambda: runtime.state.last_seq >= 399, description="the flood")
        assert "c1" not in runtime.state.feed.by_id, "the target left the state's buffer"
        assert app.feed.selected_event is not None and app.feed.selected_event.id == "c1"
        await pilot.press("p")
        await toast(pilot, app, "pinned · queued: do it in the app too")  # a TikTok comment
        await wait_for(pilot, lambda: "the one to pin" in str(app.pinned.body.render()),
                       description="the Pinned pane shows the comment")  # fmt: skip


async def test_mute_with_a_preset_is_queued_and_hides_new_messages(tmp_path: Path) -> None:
    app = make_app(tmp_path, [comment(1, "fine"), comment(2, "nasty", TROLL)])
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, settled(app, 2), description="both comments")
        await pilot.press("k", "t")
        await wait_for(pilot, lambda: isinstance(app.screen, PickScreen), description="asks")
        await pilot.press("3")
        text = await toast(pilot, app, "muted for 5 min")
        assert "do it in the app" in text
        moderation = app.runtime.state.moderation
        assert moderation.is_muted(TROLL.id) and moderation.todo_open == 1
        await wait_for(pilot, lambda: "1 to do" in status_text(app), description="Status counts")
        await pilot.press("escape")
        await app.runtime.publish(comment(3, "still nasty", TROLL, ts=T0 + 100))
        await app.runtime.publish(comment(4, "after the mute", TROLL, ts=T0 + 400))
        await wait_for(pilot, settled(app, 5), description="two more")
        assert moderation.is_hidden("c3") and not moderation.is_hidden("c4")
        await pilot.pause()
        assert "still nasty" not in screen_text(app) and "after the mute" in screen_text(app)


async def test_block_asks_first_and_blocking_twice_is_one_block(tmp_path: Path) -> None:
    app = make_app(tmp_path, [comment(1, "spam", TROLL)])
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, settled(app, 1), description="the comment")
        await pilot.press("k", "b")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), description="asks")
        await pilot.press("n")
        await wait_for(pilot, lambda: not isinstance(app.screen, ConfirmScreen), description="no")
        assert not app.runtime.state.moderation.blocked
        await pilot.press("b", "y")
        await toast(pilot, app, "blocked")
        assert TROLL.id in app.runtime.state.moderation.blocked
        await pilot.press("b")
        await toast(pilot, app, "already blocked")
        assert not isinstance(app.screen, ConfirmScreen)
        assert app.runtime.state.moderation.actions == 1


async def test_moderator_highlight_shoutout_watch_and_note(tmp_path: Path) -> None:
    fan = user("fan", "Fan")
    app = make_app(tmp_path, [comment(1, "love this", fan)])
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, settled(app, 1), description="the comment")
        moderation = app.runtime.state.moderation
        await pilot.press("k", "m")
        await toast(pilot, app, "made a moderator")
        await pilot.press("h")
        await toast(pilot, app, "highlighted · on this console")
        await pilot.press("s")
        await toast(pilot, app, "added to the shout-outs")
        await pilot.press("w")
        await toast(pilot, app, "watched")
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, LineScreen), description="note")
        await pilot.press(*"asks good questions", "enter")
        await toast(pilot, app, "note added")
        assert list(moderation.roster) == [fan.id] and list(moderation.highlights) == ["c1"]
        assert list(moderation.shoutouts) == [fan.id] and moderation.is_watched(fan.id)
        assert [text for _, text in moderation.notes[fan.id]] == ["asks good questions"]
        await pilot.pause()
        line = screen_text(app)
        assert "✦" in line and "◎" in line and "★" in line
        await pilot.press("m")
        await toast(pilot, app, "no longer a moderator")
        assert not moderation.roster


async def test_undo_without_a_selection_walks_back_through_the_actions(tmp_path: Path) -> None:
    app = make_app(tmp_path, [comment(1, "a", TROLL), comment(2, "b")])
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, settled(app, 2), description="both comments")
        moderation = app.runtime.state.moderation
        await pilot.press("k", "d", "k", "h")  # hide c2, highlight c1
        await wait_for(pilot, lambda: moderation.actions == 2, description="two actions")
        await pilot.press("escape", "u")
        await wait_for(pilot, lambda: not moderation.highlights, description="highlight undone")
        assert moderation.is_hidden("c2")
        await pilot.press("u")
        await wait_for(pilot, lambda: not moderation.is_hidden("c2"), description="hide undone")
        await pilot.press("u")
        await toast(pilot, app, "nothing to undo")
        undone = [e.undone_by for e in moderation.log if e.type != "undo"]
        assert all(undone) and len(moderation.log) == 4, "undos are recorded, nothing erased"


async def test_space_freezes_the_feed_and_releases_it(tmp_path: Path) -> None:
    app = make_app(tmp_path, [comment(n, f"line {n}") for n in range(5)])
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, settled(app, 5), description="the lines")
        await pilot.press("space")
        assert app.feed.paused and app.feed.selected_event is None
        for n in range(5, 8):
            await app.runtime.publish(comment(n, f"new {n}"))
        await wait_for(pilot, lambda: "paused · 3 new" in app.feed.subtitle, description="3 wait")
        assert "new 7" not in screen_text(app)
        await pilot.press("space")
        assert not app.feed.paused and app.feed.subtitle == "live"
        await pilot.pause()
        assert "new 7" in screen_text(app)


async def test_the_in_the_app_list_ticks_an_item_off_as_an_event(tmp_path: Path) -> None:
    app = make_app(tmp_path, [comment(1, "spam", TROLL)])
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, settled(app, 1), description="the comment")
        await pilot.press("k", "b", "y")
        await toast(pilot, app, "blocked")
        await pilot.press("i")
        await wait_for(pilot, lambda: isinstance(app.screen, TodoScreen), description="the list")
        table = app.screen.query_one(DataTable)
        assert table.row_count == 1 and "block" in str(table.get_row_at(0)[1])
        await pilot.press("x")
        await wait_for(pilot, lambda: app.runtime.state.moderation.todo_open == 0,
                       description="ticked off")  # fmt: skip
        await wait_for(pilot, lambda: "✓" in str(table.get_row_at(0)[0]), description="✓")
        await pilot.press("escape")
        await wait_for(pilot, lambda: "nothing to do" in status_text(app), description="Status")
        await app.runtime.close()
    assert app.runtime.log_path is not None
    events = SessionReader(app.runtime.log_path).events()
    assert [e.type for e in events] == ["comment", "block", "todo_done"]
    assert events[1].effect == "queued" and events[2].action == events[1].id  # type: ignore[union-attr]


async def test_the_moderation_log_lists_every_action_with_its_effect(tmp_path: Path) -> None:
    app = make_app(tmp_path, [comment(1, "spam", TROLL)])
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, settled(app, 1), description="the comment")
        await pilot.press("r", "1")  # the next action's reason: spam
        await pilot.press("k", "d", "u")
        await wait_for(pilot, lambda: app.runtime.state.moderation.actions == 2,
                       description="hide and undo")  # fmt: skip
        await pilot.press("l")
        await wait_for(pilot, lambda: isinstance(app.screen, ModerationLogScreen),
                       description="the log")  # fmt: skip
        table = app.screen.query_one(DataTable)
        rows = [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]
        assert [row[1].split()[0] for row in rows] == ["undo", "hide"]
        hide = rows[1]
        assert hide[2].startswith("Troll") and hide[3] == "local" and hide[4] == "spam"
        assert hide[5] == "console" and hide[6] == "undone"
        await pilot.press("u")  # the newest row: the undo itself, which cannot be undone
        await toast(pilot, app, "this action cannot be undone")
        await pilot.press("escape", "k", "h", "l")  # highlight, then undo it from the log
        await wait_for(pilot, lambda: isinstance(app.screen, ModerationLogScreen),
                       description="the log again")  # fmt: skip
        await pilot.press("u")
        await wait_for(pilot, lambda: not app.runtime.state.moderation.highlights,
                       description="the highlight undone from the log")  # fmt: skip
        table = app.screen.query_one(DataTable)
        await wait_for(pilot, lambda: str(table.get_row_at(1)[6]) == "undone",
                       description="the log marks it undone")  # fmt: skip


async def test_the_note_dialog_drops_the_note_on_escape(tmp_path: Path) -> None:
    app = make_app(tmp_path, [comment(1, "hello")])
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, settled(app, 1), description="the comment")
        await pilot.press("k", "n")
        await wait_for(pilot, lambda: isinstance(app.focused, Input), description="the input")
        await pilot.press(*"never mind", "escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, LineScreen), description="gone")
        assert app.runtime.state.moderation.actions == 0


async def test_mute_cancelled_with_escape_does_nothing(tmp_path: Path) -> None:
    app = make_app(tmp_path, [Comment(id="c1", ts=T0, user=TROLL, text="x")])
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, settled(app, 1), description="the comment")
        await pilot.press("k", "t")
        await wait_for(pilot, lambda: isinstance(app.screen, PickScreen), description="asks")
        await pilot.press("9")  # no ninth preset: nothing
        await pilot.pause()
        assert isinstance(app.screen, PickScreen)
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, PickScreen), description="gone")
        assert app.runtime.state.moderation.actions == 0


async def test_the_user_card_shows_the_viewer_and_its_keys_act_on_them(tmp_path: Path) -> None:
    troll = user("troll", "Troll", "subscriber")
    events = [comment(1, "first words", troll), comment(2, "other"), comment(3, "again", troll)]
    app = make_app(tmp_path, events)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, settled(app, 3), description="the comments")
        await pilot.press("k", "n", *"seen before", "enter")
        await toast(pilot, app, "note added")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, UserCard), description="the card")
        card = app.screen
        assert isinstance(card, UserCard)

        def body() -> str:
            return str(card.body.render())

        text = body()
        assert "Troll  @troll" in text and "subscriber" in text and "2 this session" in text
        assert "first    22:13:21" in text and "seen before" in text
        assert "first words" in text and "again" in text and "other" not in text
        await pilot.press("t", "2")  # the console's keys work on the card
        await wait_for(pilot, lambda: "muted (1 min left)" in body(), description="muted")
        await pilot.press("b", "y")
        await wait_for(pilot, lambda: "blocked" in body(), description="blocked")
        assert "block · queued · console" in body()
        await pilot.press("B")
        await wait_for(pilot, lambda: "block · queued · console · undone" in body(),
                       description="unblocked")  # fmt: skip
        await pilot.press("T")
        await wait_for(pilot, lambda: "nothing on them" in body(), description="unmuted")
        assert not app.runtime.state.moderation.blocked
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, UserCard), description="closed")


async def test_highlights_and_shoutouts_are_listed(tmp_path: Path) -> None:
    fan = user("fan", "Fan")
    app = make_app(tmp_path, [comment(1, "what a play", fan), comment(2, "hello")])
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, settled(app, 2), description="the comments")
        await pilot.press("k", "k", "h", "s", "L")
        await wait_for(pilot, lambda: isinstance(app.screen, ListsScreen), description="lists")
        table = app.screen.query_one(DataTable)
        await wait_for(pilot, lambda: table.row_count == 2, description="two rows")
        rows = [[str(cell) for cell in table.get_row_at(i)] for i in range(2)]
        assert rows[0][1] == "✦ highlight" and rows[0][3].startswith("Fan")
        assert rows[0][4] == "what a play" and rows[0][0] == "☐"  # still to do
        assert rows[1][1] == "shout-out" and rows[1][3].startswith("Fan")
        await pilot.press("L")
        await wait_for(pilot, lambda: not isinstance(app.screen, ListsScreen), description="gone")


async def test_slash_filters_the_feed_and_escape_clears_it(tmp_path: Path) -> None:
    events = [comment(1, "buy followers", TROLL), comment(2, "hello"), comment(3, "more", TROLL)]
    app = make_app(tmp_path, events)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, settled(app, 3), description="the comments")
        await pilot.press("slash")
        await wait_for(pilot, lambda: isinstance(app.focused, Input), description="the input")
        await pilot.press(*"from:troll", "enter")
        await wait_for(pilot, lambda: app.feed.line_count == 2, description="two matches")
        assert "filter: from:troll" in app.feed.subtitle
        await pilot.pause()
        assert "hello" not in screen_text(app) and "more" in screen_text(app)
        await pilot.press("k", "k")  # from match to match
        assert app.feed.selected_event is not None and app.feed.selected_event.id == "c1"
        await pilot.press("slash")
        await wait_for(pilot, lambda: isinstance(app.focused, Input), description="the input")
        await pilot.press("ctrl+u", *r"re:(a)\1", "enter")
        await toast(pilot, app, "invalid escape")
        assert app.feed.line_count == 2, "a refused pattern leaves the filter as it was"
        await pilot.press("slash")
        await wait_for(pilot, lambda: isinstance(app.focused, Input), description="the input")
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.feed.line_count == 3, description="all lines again")
        assert "filter" not in app.feed.subtitle
        assert app.feed.selected_event is not None and app.feed.selected_event.id == "c1"


async def test_a_filter_on_the_moderation_state_follows_new_actions(tmp_path: Path) -> None:
    app = make_app(tmp_path, [comment(1, "one"), comment(2, "two"), comment(3, "three")])
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, settled(app, 3), description="the comments")
        await pilot.press("k", "d", "escape", "slash")
        await wait_for(pilot, lambda: isinstance(app.focused, Input), description="the input")
        await pilot.press(*"is:hidden", "enter")
        await wait_for(pilot, lambda: app.feed.line_count == 1, description="one hidden line")
        await pilot.press("k", "u")  # shown again: it leaves the filtered view
        await wait_for(pilot, lambda: app.feed.line_count == 0, description="no hidden lines")


async def test_c_answers_the_selected_viewer_and_queues_it_where_the_source_cannot_post(
    tmp_path: Path,
) -> None:
    fan = user("fan", "Fan")
    app = make_app(tmp_path, [comment(1, "what game is this?", fan)])
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, settled(app, 1), description="the comment")
        await pilot.press("k", "c")
        await wait_for(pilot, lambda: isinstance(app.focused, Input), description="the input")
        assert isinstance(app.focused, Input) and app.focused.value == "@fan "
        await pilot.press(*"it is chess", "enter")
        await toast(pilot, app, "not posted: this source cannot send chat")
        moderation = app.runtime.state.moderation
        (item,) = moderation.todo.values()
        assert item.type == "say" and item.detail == "post in the chat: @fan it is chess"
        (entry,) = moderation.log
        assert (entry.type, entry.effect, entry.target, entry.user) == ("say", "queued", "c1", fan)
        assert not entry.undoable  # what was said cannot be taken back
        await pilot.press("i")
        await wait_for(pilot, lambda: isinstance(app.screen, TodoScreen), description="to-dos")
        await pilot.press("c")
        await toast(pilot, app, "copied: @fan it is chess")
        assert app.clipboard == "@fan it is chess"  # ready to paste into the app's chat


async def test_c_with_nothing_selected_speaks_to_everyone(tmp_path: Path) -> None:
    app = make_app(tmp_path, [comment(1, "hello")])
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, settled(app, 1), description="the comment")
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.focused, Input), description="the input")
        assert isinstance(app.focused, Input) and app.focused.value == ""
        await pilot.press(*"back in 5", "enter")
        await toast(pilot, app, "In the app list")
        (entry,) = app.runtime.state.moderation.log
        assert (entry.type, entry.target, entry.user, entry.detail) == (
            "say",
            "",
            None,
            "back in 5",
        )
