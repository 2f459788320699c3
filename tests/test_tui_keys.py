"""Keys never drift: whatever the user's keymap says, the footer, the help (`?`), the command
palette, the dialogs and every hint name the keys in force, and those keys are the ones that work.

Every binding id is found by `keys.console_bindings()` (no list here), remapped through the config
file's ``[keys]`` table as `cli.py` does it, and checked everywhere. The README's list of ids and
its keys table are held to the same bindings.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC
from pathlib import Path
from typing import Any

import pytest
from textual.actions import parse
from textual.app import App
from textual.binding import Binding
from textual.dom import DOMNode
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Static

from backstage_tui.config import load_settings
from backstage_tui.events import User
from backstage_tui.runtime import SessionRuntime
from backstage_tui.state import ConsoleState
from backstage_tui.state.moderation import ModerationState
from backstage_tui.tui.app import BackstageApp
from backstage_tui.tui.ask_screen import AskScreen
from backstage_tui.tui.confirm import ConfirmScreen
from backstage_tui.tui.help_screen import HelpScreen
from backstage_tui.tui.keys import (
    Declared,
    bindings_in_force,
    console_bindings,
    console_declarations,
)
from backstage_tui.tui.line_screen import LineScreen
from backstage_tui.tui.moderation_screens import ListsScreen, ModerationLogScreen, TodoScreen
from backstage_tui.tui.pick_screen import PickScreen
from backstage_tui.tui.poll_form import PollForm
from backstage_tui.tui.questions_screen import QuestionsScreen
from backstage_tui.tui.replay_screen import ReplayScreen
from backstage_tui.tui.review_screen import ReviewScreen
from backstage_tui.tui.summary_screen import SummaryScreen
from backstage_tui.tui.user_card import UserCard
from tests.helpers import FakeSource, comment, help_lines, settled, wait_for, whole_screen

README = Path(__file__).resolve().parents[1] / "README.md"
SIZE = (200, 50)
NARROW = (80, 24)
"""A terminal too narrow for the side panes at once, where the side-pane key is offered."""
SPARE_KEYS = (
    *"abcdefghijklmnopqrstuvwxyz0123456789ABCDEFHIJKLMNOQRSTUVWXYZ",
    *(f"f{n}" for n in range(1, 25)),
    *"éñøüäöàçλж",  # letters typed as themselves, once the ASCII ones and the f-keys run out
    # Last: the footer writes these as ^a, ..., so they go to the ids sorted last.
    *(f"ctrl+{c}" for c in "abdfgknotuvwxyz"),
)
"""New keys for the remap: whichever of these no binding uses by default. A dialog's keys need to
differ only from each other (the bindings in force together), so each dialog draws from the same
spare keys as the main screen."""
SCREENS: dict[type[Screen[Any]], Callable[[], Screen[Any]]] = {
    HelpScreen: lambda: HelpScreen([]),
    ConfirmScreen: lambda: ConfirmScreen("Sure?"),
    PickScreen: lambda: PickScreen("Which?", [str(n) for n in range(1, 10)]),
    LineScreen: lambda: LineScreen("Note?"),
    TodoScreen: lambda: TodoScreen(ModerationState(), _tick),
    ModerationLogScreen: lambda: ModerationLogScreen(ModerationState(), _tick),
    ListsScreen: lambda: ListsScreen(ModerationState(), _mark),
    QuestionsScreen: lambda: QuestionsScreen(
        ConsoleState(), toggle_done=_tick, pin=_pin, jump=lambda _id: None
    ),  # fmt: skip
    UserCard: lambda: UserCard(ConsoleState(), User(id="u1", name="Ann"), _tick),
    ReviewScreen: lambda: ReviewScreen(ConsoleState()),
    SummaryScreen: lambda: SummaryScreen("see you!"),
    AskScreen: lambda: AskScreen("title", ("tag",)),
    PollForm: lambda: PollForm(),
    ReplayScreen: lambda: ReplayScreen(),
}
"""How to open each dialog that declares bindings (a new one fails the remap test until added)."""


async def _tick(action_id: str) -> None:
    """The to-do list's tick, for a list opened on its own."""


async def _mark(kind: str, target: str) -> None:
    """The lists' mark done, for a list opened on its own."""


async def _pin(message: object) -> None:
    """The Questions list's pin, for a list opened on its own."""


def declared() -> dict[str, Declared]:
    return console_bindings()


def default_keys(binding: Binding) -> list[str]:
    return [key.strip() for key in binding.key.split(",")]


def written(app: App[Any], binding: Binding) -> set[str]:
    """Every way the app may write this binding's default keys: its declared display and each key."""
    forms = {app.get_key_display(binding.with_key(key)) for key in default_keys(binding)}
    return forms | ({binding.key_display} if binding.key_display else set())


def test_every_binding_has_an_id_and_a_tooltip() -> None:
    """A binding without an id cannot be remapped, and the help, the palette and the checks below
    only see bindings with one: so every binding the console declares has both."""
    found = list(console_declarations())
    assert {item.owner for item in found} >= {BackstageApp, ConfirmScreen, HelpScreen}
    for item in found:
        assert item.binding.id and item.binding.tooltip, (item.owner.__name__, item.binding)


def remap_every_id() -> dict[str, str]:
    bindings = declared()
    used = {key for item in bindings.values() for key in default_keys(item.binding)}
    spare = [key for key in SPARE_KEYS if key not in used]
    groups: dict[object, list[str]] = {}
    for binding_id, item in sorted(bindings.items()):
        # A dialog's keys are in force alone; the replay screen's with the main screen's.
        dialog = issubclass(item.owner, Screen) and item.owner is not ReplayScreen
        groups.setdefault(item.owner if dialog else None, []).append(binding_id)
    keymap: dict[str, str] = {}
    for ids in groups.values():
        assert len(spare) >= len(ids), "not enough spare keys to remap every binding"
        keymap.update(zip(ids, spare, strict=False))
    return keymap


def on_main_screen(item: Declared) -> bool:
    return not issubclass(item.owner, Screen)


def in_force(screen: Screen[Any]) -> set[str]:
    """The ids of the bindings `screen` offers now (some depend on the terminal's size)."""
    return {bound.binding.id or "" for bound in bindings_in_force(screen)}


def app_from_config(tmp_path: Path, keymap: dict[str, str], events: list[Any]) -> BackstageApp:
    """The app as `backstage` builds it: the keymap read from a config file's ``[keys]`` table."""
    config = tmp_path / "config.toml"
    lines = "".join(f'"{binding_id}" = "{keys}"\n' for binding_id, keys in keymap.items())
    config.write_text(f"[keys]\n{lines}", encoding="utf-8")
    settings, warning = load_settings(config)
    assert settings.keys == keymap, warning
    runtime = SessionRuntime(FakeSource(events), sessions_dir=tmp_path / "sessions")
    return BackstageApp(runtime, tz=UTC, keymap=settings.keys, warning=warning)


def palette_keys(app: App[Any], screen: Screen[Any], title: str) -> list[str]:
    """The keys the palette entry called `title` names, from its help's "(a/b)"."""
    helps = [command.help for command in app.get_system_commands(screen) if command.title == title]
    assert len(helps) == 1, f"one palette entry {title!r}, found {helps}"
    return helps[0].rsplit("(", 1)[1].rstrip(")").split("/")


async def test_every_remapped_key_shows_in_the_footer_help_palette_and_dialogs(
    tmp_path: Path,
) -> None:
    keymap = remap_every_id()
    bindings = declared()
    app = app_from_config(tmp_path, keymap, [comment(1, "first"), comment(2, "second")])
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, settled(app, 2), description="the feed took both events")
        main = app.screen
        await wait_for(pilot, lambda: "Quit" in whole_screen(app).splitlines()[-1],
                       description="the footer is drawn")  # fmt: skip
        assert not [n.message for n in app._notifications], "a keymap of known ids warns nothing"
        # What a wide screen does not offer (the side-pane key) is checked on a narrow one.
        wide = in_force(main)
        narrow_only = {i for i, item in bindings.items() if on_main_screen(item)} - wide

        def check_footer_and_palette(offered: set[str]) -> None:
            footer = f" {whole_screen(app).splitlines()[-1]} "
            for binding_id, (_, binding) in bindings.items():
                if binding.show and binding_id in offered:
                    assert f" {keymap[binding_id]} {binding.description} " in footer, binding_id
                    for old in written(app, binding):
                        assert f" {old} {binding.description} " not in footer, (binding_id, old)
            for binding_id, item in bindings.items():
                if binding_id in offered:
                    keys = palette_keys(app, main, item.binding.description)
                    assert keymap[binding_id] in keys, (binding_id, keys)
                    assert not written(app, item.binding) & set(keys), (binding_id, keys)

        check_footer_and_palette({i for i, item in bindings.items() if on_main_screen(item)} & wide)
        if narrow_only:
            await pilot.resize_terminal(*NARROW)
            await wait_for(pilot, lambda: narrow_only <= in_force(main),
                           description=f"a narrow screen offers {sorted(narrow_only)}")  # fmt: skip
            shown = [i for i in narrow_only if bindings[i].binding.show]
            await wait_for(
                pilot,
                lambda: all(
                    f" {keymap[i]} {bindings[i].binding.description} "
                    in f" {whole_screen(app).splitlines()[-1]} "
                    for i in shown
                ),
                description="the narrow screen's footer is drawn with its own keys",
            )
            check_footer_and_palette(narrow_only)
            await pilot.resize_terminal(*SIZE)
            await wait_for(pilot, lambda: in_force(main) == wide, description="wide again")

        await pilot.press(keymap["app.help"])
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), description="help opens")
        lines = help_lines(app)
        for binding_id, item in bindings.items():
            if on_main_screen(item) and binding_id in wide:
                tooltip = item.binding.tooltip
                rows = [line.split(None, 1) for line in lines if line.endswith(tooltip)]
                assert rows == [[keymap[binding_id], tooltip]], (binding_id, rows)
        subtitle = str(app.screen.query_one("VerticalScroll").border_subtitle)
        assert subtitle == f"{keymap['help.close']} to close"
        for old in default_keys(bindings["help.close"].binding):
            await pilot.press(old)
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen), "an old close key still closed the help"
        await pilot.press(keymap["help.close"])
        await wait_for(pilot, lambda: app.screen is main, description="the new key closes help")

        await pilot.press(keymap["app.pin"])  # nothing selected: the hint names the new key
        hint = f"select a message first ({keymap['feed.prev']})"
        await wait_for(
            pilot,
            lambda: hint in [str(n.message) for n in app._notifications],
            description=f"the toast {hint!r}",
        )
        pinned = str(app.pinned.body.render())
        assert f"Select a message ({keymap['feed.prev']}) and press {keymap['app.pin']}." in pinned

        await pilot.press(keymap["app.quit"])
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), description="asks")
        line = str(app.screen.query_one("#keys", Static).render())
        assert line == f"{keymap['confirm.yes']}: yes     {keymap['confirm.no']}: no"
        for old in ("n", "escape"):
            await pilot.press(old)
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen), "an old key still answered the dialog"
        await pilot.press(keymap["confirm.no"])
        await wait_for(pilot, lambda: app.screen is main, description="the new key answers no")
        assert app.is_running


async def test_the_palette_shows_and_runs_the_new_key(tmp_path: Path) -> None:
    keymap = remap_every_id()
    events = [comment(1, "keep"), comment(2, "hide me from the palette")]
    app = app_from_config(tmp_path, keymap, events)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, settled(app, 2), description="the feed took both events")
        await pilot.press(keymap["feed.prev"])  # the newest: c2
        await pilot.press("ctrl+p")
        await wait_for(
            pilot, lambda: app.screen.id == "--command-palette", description="the palette opens"
        )
        await pilot.press(*"Hide")
        shown = f"Hide the selected message on this console ({keymap['app.hide']})"
        await wait_for(
            pilot, lambda: shown in whole_screen(app), description=f"the palette shows {shown!r}"
        )
        await pilot.press("enter")
        await wait_for(
            pilot,
            lambda: app.runtime.state.moderation.is_hidden("c2"),
            description="the palette's Hide hid the selected message",
        )


async def test_the_new_keys_run_each_action_and_the_old_keys_do_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each binding's action is replaced by a recorder, so a key press is seen to reach it (and
    nothing happens that would change the screen for the next binding)."""
    keymap = remap_every_id()
    bindings = declared()
    calls: list[tuple[type[DOMNode], str]] = []

    def recorder(owner: type[DOMNode], name: str) -> Callable[..., None]:
        def record(self: DOMNode, *args: object) -> None:
            calls.append((owner, name))

        return record

    for item in bindings.values():
        _, name, _ = parse(item.binding.action)
        monkeypatch.setattr(item.owner, f"action_{name}", recorder(item.owner, name))

    app = app_from_config(tmp_path, keymap, [comment(1, "only")])
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, settled(app, 1), description="the feed took the event")
        main = app.screen
        for binding_id, item in bindings.items():
            _, name, _ = parse(item.binding.action)
            if issubclass(item.owner, Screen):
                assert item.owner in SCREENS, f"add a way to open {item.owner.__name__} to SCREENS"
                await app.push_screen(SCREENS[item.owner]())
                await wait_for(
                    pilot,
                    lambda owner=item.owner: isinstance(app.screen, owner),
                    description=f"{item.owner.__name__} is open",
                )
            elif issubclass(item.owner, Widget):
                app.query_one(item.owner).focus()
                await pilot.pause()
            narrow = app.screen is main and binding_id not in in_force(main)
            if narrow:  # a key offered only on a narrow screen (the side panes' key)
                await pilot.resize_terminal(*NARROW)
                await wait_for(pilot, lambda binding_id=binding_id: binding_id in in_force(main),
                               description=f"a narrow screen offers {binding_id}")  # fmt: skip
            calls.clear()
            await pilot.press(*default_keys(item.binding))
            await pilot.pause()
            assert (item.owner, name) not in calls, f"an old key still runs {binding_id}"
            await pilot.press(keymap[binding_id])
            await wait_for(
                pilot,
                lambda owner=item.owner, name=name: (owner, name) in calls,
                description=f"the new key {keymap[binding_id]!r} runs {binding_id}",
            )
            if app.screen is not main:
                await app.pop_screen()
                await wait_for(pilot, lambda: app.screen is main, description="back to the feed")
            if narrow:
                await pilot.resize_terminal(*SIZE)
                await pilot.pause()


async def test_an_unknown_binding_id_is_named_and_the_console_still_starts(tmp_path: Path) -> None:
    keymap = {"app.hid": "x", "app.hide": "z"}
    app = app_from_config(tmp_path, keymap, [comment(1, "keep"), comment(2, "remove")])
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, settled(app, 2), description="the feed took both events")
        warnings = [n for n in app._notifications if n.severity == "warning"]
        assert len(warnings) == 1
        message = str(warnings[0].message)
        assert "\n" not in message
        assert '"app.hid"' in message and "(ignored)" in message
        assert all(binding_id in message for binding_id in declared())
        await pilot.press("k", "z")  # the known id in the same table still works
        await wait_for(
            pilot,
            lambda: app.runtime.state.moderation.is_hidden("c2"),
            description="z hides the selected message",
        )


async def test_help_groups_the_keys_by_pane_with_the_legend(tmp_path: Path) -> None:
    app = app_from_config(tmp_path, {}, [])
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), description="help opens")
        lines = help_lines(app)
        headings = [line for line in lines if line and not line.startswith(" ")]
        assert headings[:2] == ["Feed", "Console"]  # the focused widget's keys first
        assert "What the feed shows" in headings
        assert ["k/↑", "Select the previous message (the newest when none is selected)"] in [
            line.split(None, 1) for line in lines
        ]
        assert any(line.split() == ["^p", "Open", "the", "command", "palette:", "every", "action",
                                    "by", "name"] for line in lines)  # fmt: skip


async def test_the_status_pane_hints_follow_a_keymap_changed_while_running(
    tmp_path: Path,
) -> None:
    """The Status pane's key hints are kept between frames (`KeyHints`); a keymap changed while the
    console runs must still reach them, with no stale key left."""
    app = app_from_config(tmp_path, {}, [comment(1, "first")])
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, settled(app, 1), description="the feed took the event")
        default = app._hints.get(app.screen, "app.todo")
        assert default is not None
        app.set_keymap({"app.todo": "f7"})
        await pilot.pause()
        assert app._hints.get(app.screen, "app.todo") == "f7" != default
        app.set_keymap({})
        await pilot.pause()
        assert app._hints.get(app.screen, "app.todo") == default


# -- the README --


def readme_section(heading: str) -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index(f"\n{heading}\n")
    end = text.find("\n#", start + 1)
    return text[start : end if end > 0 else None]


def test_the_readme_lists_every_binding_id() -> None:
    match = re.search(r"Binding ids:((?:\s*`[^`]+`,?)+)", README.read_text(encoding="utf-8"))
    assert match, 'the README has no "Binding ids:" list'
    listed = re.findall(r"`([^`]+)`", match.group(1))
    assert len(listed) == len(set(listed)), "an id is listed twice"
    assert set(listed) == set(declared())


def test_the_readme_keys_table_names_every_default_key() -> None:
    rows = [line for line in readme_section("### Keys").splitlines() if line.startswith("|")]
    named = {token for row in rows for token in re.findall(r"`([^`]+)`", row)}
    app = App[None]()
    for binding_id, item in declared().items():
        for key in default_keys(item.binding):
            forms = {key, app.get_key_display(item.binding.with_key(key))}
            assert forms & named, f"the README's keys table does not name {key!r} ({binding_id})"
