"""The moderation keys: p / P / d / u on the selected message, recorded as action events."""

from __future__ import annotations

from pathlib import Path

from backstage_tui.session import SessionReader
from backstage_tui.tui.app import BackstageApp
from tests.helpers import comment, end_live, make_app, screen_text, settled, user, wait_for


def pinned_pane_text(app: BackstageApp) -> str:
    return str(app.pinned.body.render())


async def test_pin_and_unpin_the_selected_comment(tmp_path: Path) -> None:
    events = [
        comment(1, "first"),
        comment(2, "please pin me", user("bo", "Bo")),
        comment(3, "last"),
    ]
    app = make_app(tmp_path, events)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(
            pilot, settled(app, 3), description="the state and the feed took all 3 events"
        )
        await pilot.press("k", "k")  # newest, then the one before it
        assert app.feed.selected_event is not None and app.feed.selected_event.id == "c2"
        await pilot.press("p")
        await wait_for(
            pilot,
            lambda: "c2" in app.runtime.state.pins.pinned,
            description='"c2" in app.runtime.state.pins.pinned',
        )
        await wait_for(
            pilot,
            lambda: "please pin me" in pinned_pane_text(app),
            description='"please pin me" in pinned_pane_text(app)',
        )
        assert "Bo" in pinned_pane_text(app)
        await pilot.pause()
        assert any("📌" in line and "please pin me" in line for line in app.feed.screen_lines())
        await pilot.press("escape", "P")  # nothing selected: P unpins the newest pin
        await wait_for(
            pilot,
            lambda: not app.runtime.state.pins.pinned,
            description="not app.runtime.state.pins.pinned",
        )
        await wait_for(
            pilot,
            lambda: "Nothing pinned" in pinned_pane_text(app),
            description='"Nothing pinned" in pinned_pane_text(app)',
        )
        await end_live(pilot, app)
    assert app.runtime.log_path is not None
    actions = [(e.type, getattr(e, "target", None)) for e in SessionReader(app.runtime.log_path).events()
               if e.type in ("pin", "unpin")]  # fmt: skip
    assert actions == [("pin", "c2"), ("unpin", "c2")]


async def test_hide_shows_a_placeholder_and_unhide_restores(tmp_path: Path) -> None:
    events = [comment(1, "fine"), comment(2, "something nasty", user("troll", "Troll"))]
    app = make_app(tmp_path, events)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(
            pilot, settled(app, 2), description="the state and the feed took all 2 events"
        )
        await pilot.press("k", "d")
        await wait_for(
            pilot,
            lambda: app.runtime.state.moderation.is_hidden("c2"),
            description='app.runtime.state.moderation.is_hidden("c2")',
        )
        await pilot.pause()
        text = screen_text(app)
        assert "something nasty" not in text
        assert "Troll  ⊘ hidden by moderator" in text
        assert "fine" in text
        await pilot.press("u")
        await wait_for(
            pilot,
            lambda: not app.runtime.state.moderation.is_hidden("c2"),
            description='not app.runtime.state.moderation.is_hidden("c2")',
        )
        await pilot.pause()
        assert "something nasty" in screen_text(app)
        await app.runtime.close()
    assert app.runtime.log_path is not None
    kinds = [e.type for e in SessionReader(app.runtime.log_path).events()]
    assert kinds == ["comment", "comment", "hide", "undo"]


async def test_actions_need_a_selection(tmp_path: Path) -> None:
    app = make_app(tmp_path, [comment(1, "hi")])
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(
            pilot, settled(app, 1), description="the state and the feed took all 1 events"
        )
        keys = ("p", "d", "t", "b", "m", "h", "s", "w", "n")
        for key in keys:
            await pilot.press(key)
        await pilot.pause()
        messages = [str(n.message) for n in app._notifications]
        assert messages.count("select a message first (k/↑)") == len(keys)
        await pilot.press("u")  # nothing selected: the last action, and there is none
        await wait_for(pilot, lambda: "nothing to undo" in [str(n.message) for n in
                       app._notifications], description="nothing to undo")  # fmt: skip
        assert app.screen is app.screen_stack[0], "no dialog opened"
        assert app.runtime.state.moderation.actions == 0


async def test_cursor_keys_and_the_paused_count(tmp_path: Path) -> None:
    app = make_app(tmp_path, [comment(n, f"line {n}") for n in range(40)])
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(
            pilot, settled(app, 40), description="the state and the feed took all 40 events"
        )
        assert app.feed.subtitle == "live"
        await pilot.press("k")
        assert app.feed.selected_event is not None and app.feed.selected_event.id == "c39"
        await pilot.press("up", "k")
        assert app.feed.selected_index == 37
        await pilot.press("j")
        assert app.feed.selected_index == 38
        await pilot.press("g")
        assert app.feed.selected_index == 0
        assert "line 0" in app.feed.screen_lines()[0]  # the view scrolled to the selection
        for n in range(40, 45):
            await app.runtime.publish(comment(n, f"new {n}"))
        await wait_for(
            pilot, lambda: app.feed.pending_count == 5, description="app.feed.pending_count == 5"
        )
        await wait_for(
            pilot,
            lambda: "paused · 5 new" in app.feed.subtitle,
            description='"paused · 5 new" in app.feed.subtitle',
        )
        assert "new 44" not in screen_text(app)
        await pilot.press("G")
        assert app.feed.selected_event is None and not app.feed.paused
        assert app.feed.subtitle == "live"
        assert "new 44" in app.feed.screen_lines()[-1]
        await pilot.press("k", "escape")
        assert app.feed.selected_event is None
        assert app.feed.shown + app.feed.skipped == 45


async def test_pin_refuses_non_comments(tmp_path: Path) -> None:
    from backstage_tui.events import Follow

    app = make_app(tmp_path, [comment(1, "hi"), Follow(id="f", user=user("z"))])
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(
            pilot, settled(app, 2), description="the state and the feed took all 2 events"
        )
        await pilot.press("k", "p")
        await pilot.pause()
        assert "only comments and questions can be pinned" in [
            str(n.message) for n in app._notifications
        ]
        assert not app.runtime.state.pins.pinned


async def test_the_command_palette_offers_the_moderation_actions(tmp_path: Path) -> None:
    events = [comment(1, "first"), comment(2, "pin me from the palette", user("bo", "Bo"))]
    app = make_app(tmp_path, events)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(
            pilot, settled(app, 2), description="the state and the feed took all 2 events"
        )
        await pilot.press("k")  # the newest: c2
        await pilot.press("ctrl+p")
        await wait_for(
            pilot,
            lambda: app.screen.id == "--command-palette",
            description='app.screen.id == "--command-palette"',
        )
        from textual.widgets import Input

        await wait_for(
            pilot,
            lambda: isinstance(app.focused, Input),
            description="isinstance(app.focused, Input)",
        )
        await pilot.press(*"Pin")
        # The palette searches in a worker: wait until its best match is our "Pin".
        from textual.command import CommandList

        matches = app.screen.query_one(CommandList)
        await wait_for(
            pilot,
            lambda: (
                matches.option_count > 0
                and str(matches.get_option_at_index(0).prompt).startswith("Pin")
            ),
            description="the palette offers Pin first",
        )
        await pilot.press("enter")
        await wait_for(
            pilot,
            lambda: "c2" in app.runtime.state.pins.pinned,
            description='"c2" in app.runtime.state.pins.pinned',
        )
        await wait_for(
            pilot,
            lambda: "pin me from the palette" in pinned_pane_text(app),
            description='"pin me from the palette" in pinned_pane_text(app)',
        )


async def test_keys_from_the_config_replace_the_defaults(tmp_path: Path) -> None:
    from backstage_tui.runtime import SessionRuntime
    from tests.helpers import FakeSource

    events = [comment(1, "keep"), comment(2, "remove with x", user("troll", "Troll"))]
    runtime = SessionRuntime(FakeSource(events), sessions_dir=tmp_path)
    app = BackstageApp(runtime, keymap={"app.hide": "x"}, fold_activity=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(
            pilot, settled(app, 2), description="the state and the feed took all 2 events"
        )
        assert app.feed.fold_activity
        await pilot.press("k", "d")  # d no longer hides
        await pilot.pause()
        assert not app.runtime.state.moderation.hidden
        await pilot.press("x")
        await wait_for(
            pilot,
            lambda: "c2" in app.runtime.state.moderation.hidden,
            description='"c2" in app.runtime.state.moderation.hidden',
        )
