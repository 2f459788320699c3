"""Polls at the keyboard: the form (`o`: enter in every field, escape, what a bad form says), closing
(`O`, asked first), paging (`[` / `]`), the pane's bars and a time-out in a quiet chat; a snapshot
of the Poll pane with results."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual import events
from textual.pilot import Pilot
from textual.widgets import Input, Static

from backstage_tui.events import PollStart
from backstage_tui.tui import BackstageApp
from backstage_tui.tui.confirm import ConfirmScreen
from backstage_tui.tui.poll_form import PollDraft, PollForm, check_draft, parse_duration
from backstage_tui.tui.poll_pane import NO_POLL, poll_text
from tests.helpers import T0, comment, make_app, settled, user, wait_for

SIZE = (120, 40)
FIELDS = ["#poll-question", "#poll-option-1", "#poll-option-2", "#poll-option-3", "#poll-duration"]
SnapCompare = Callable[..., bool]


def pane_text(app: BackstageApp) -> str:
    return str(app.poll.render())


def toasts(app: BackstageApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def opened(pilot: Pilot[Any], app: BackstageApp) -> PollForm:
    await wait_for(pilot, settled(app, 1), description="the feed took the event")
    await pilot.press("o")
    await wait_for(pilot, lambda: isinstance(app.screen, PollForm), description="the form opens")
    assert isinstance(app.screen, PollForm)
    return app.screen


async def fill(pilot: Pilot[Any], form: PollForm, **values: str) -> None:
    for selector, value in values.items():
        form.query_one(f"#poll-{selector.replace('_', '-')}", Input).value = value
    await pilot.pause()


# -- the form's rules, without a screen --


def test_a_duration_reads_as_people_write_it() -> None:
    assert [parse_duration(t) for t in ("", "90", "90s", "2m", "2 min", "1m30s", "1:30", "1h")] == [
        None, 90, 90, 120, 120, 90, 90, 3600
    ]  # fmt: skip
    for bad in ("soon", "0", "25h", "1:75"):
        with pytest.raises(ValueError):
            parse_duration(bad)


def test_a_form_is_valid_with_a_question_and_two_options() -> None:
    assert check_draft("Snack?", ["chips", "", " popcorn ", "", "", ""], "1m") == PollDraft(
        "Snack?", ("chips", "popcorn"), 60.0
    )
    assert check_draft("  ", ["a", "b"], "") == "Write the question."
    assert check_draft("Snack?", ["chips", "", ""], "") == "Write 2 options at least (1 more)."
    assert "read the same" in str(check_draft("Snack?", ["Chips", "CHIPS!!"], ""))
    assert "is a number" in str(check_draft("Snack?", ["3", "chips"], ""))
    assert "duration reads like" in str(check_draft("Snack?", ["a", "b"], "soon"))


# -- the form on screen --


@pytest.mark.parametrize("field", FIELDS)
async def test_enter_in_any_field_starts_the_poll(tmp_path: Path, field: str) -> None:
    app = make_app(tmp_path, [comment(1, "hi")])
    async with app.run_test(size=SIZE) as pilot:
        form = await opened(pilot, app)
        assert form.focused is form.query_one("#poll-question"), "the question has the focus"
        await pilot.press(*"Snack?", "tab", *"chips", "tab", *"popcorn", "tab", "tab", "tab",
                          "tab", "tab", *"2m")  # fmt: skip
        assert form.query_one("#poll-duration", Input).value == "2m", "tab moved field by field"
        form.query_one(field, Input).focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.runtime.state.polls.open_poll is not None,
                       description="the poll started")  # fmt: skip
        poll = app.runtime.state.polls.open_poll
        assert poll is not None and app.screen is not form
        assert (poll.question, poll.options, poll.first_vote_only) == (
            "Snack?", ("chips", "popcorn"), False
        )  # fmt: skip
        assert poll.ends_at == poll.started_at + 120
        await wait_for(pilot, lambda: "Snack?" in pane_text(app), description="the pane shows it")
        assert "poll opened · on this console" in toasts(app)


async def test_escape_drops_the_form(tmp_path: Path) -> None:
    app = make_app(tmp_path, [comment(1, "hi")])
    async with app.run_test(size=SIZE) as pilot:
        form = await opened(pilot, app)
        await fill(pilot, form, question="Snack?", option_1="chips", option_2="popcorn")
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is not form, description="the form closes")
        await pilot.pause()
        assert app.runtime.state.polls.polls == [] and NO_POLL in pane_text(app)


async def test_a_bad_form_says_what_is_missing_and_stays(tmp_path: Path) -> None:
    app = make_app(tmp_path, [comment(1, "hi")])
    async with app.run_test(size=SIZE) as pilot:
        form = await opened(pilot, app)
        problem = form.query_one("#poll-problem", Static)
        await pilot.press("enter")
        await wait_for(pilot, lambda: str(problem.render()) == "Write the question.",
                       description="the form asks for the question")  # fmt: skip
        await fill(pilot, form, question="Snack?", option_1="chips")
        form.query_one("#poll-option-1", Input).focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: "2 options at least" in str(problem.render()),
                       description="the form asks for another option")  # fmt: skip
        assert app.screen is form and app.runtime.state.polls.polls == []
        await fill(pilot, form, option_2="popcorn")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.runtime.state.polls.open_poll is not None,
                       description="the poll started once the form was right")  # fmt: skip


# -- the pane and its keys --


async def start(app: BackstageApp, question: str, *options: str, **kw: Any) -> None:
    await app.runtime.act(PollStart(question=question, options=options, **kw))


async def test_votes_show_as_bars_and_percentages(tmp_path: Path) -> None:
    app = make_app(tmp_path, [comment(1, "hi")])
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, settled(app, 1), description="the feed took the event")
        await start(app, "Snack?", "chips", "popcorn")
        for n, text in enumerate(["1", "CHIPS!!", "!vote 2", "1"]):
            await app.runtime.publish(comment(10 + n, text, user(f"v{n}")))
        await wait_for(pilot, lambda: "75%" in pane_text(app) and "25%" in pane_text(app),
                       description="the pane shows 75% and 25%")  # fmt: skip
        assert "4 voters" in pane_text(app)


async def test_O_asks_then_closes_the_poll(tmp_path: Path) -> None:
    app = make_app(tmp_path, [comment(1, "hi")])
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, settled(app, 1), description="the feed took the event")
        await pilot.press("O")
        await wait_for(pilot, lambda: "no poll running" in toasts(app), description="says none")
        await start(app, "Snack?", "chips", "popcorn")
        await pilot.press("O")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), description="asks")
        await pilot.press("n")
        await wait_for(pilot, lambda: not isinstance(app.screen, ConfirmScreen), description="no")
        assert app.runtime.state.polls.open_poll is not None
        await pilot.press("O")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), description="asks")
        await pilot.press("y")
        await wait_for(pilot, lambda: app.runtime.state.polls.open_poll is None,
                       description="the poll closed")  # fmt: skip
        await wait_for(pilot, lambda: "closed" in pane_text(app), description="the pane says so")
        assert "Snack?" in pane_text(app), "the results stay"


async def test_brackets_page_through_the_session_s_polls(tmp_path: Path) -> None:
    app = make_app(tmp_path, [comment(1, "hi")])
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, settled(app, 1), description="the feed took the event")
        await start(app, "First?", "a", "b")
        await start(app, "Second?", "c", "d")
        await wait_for(pilot, lambda: "Second?" in pane_text(app), description="the newest")
        assert "poll 2 of 2" in pane_text(app) and "[ ]" in pane_text(app)
        await pilot.press("left_square_bracket")
        await wait_for(pilot, lambda: "First?" in pane_text(app), description="paged back")
        assert "poll 1 of 2" in pane_text(app) and "closed" in pane_text(app)
        await pilot.press("left_square_bracket")
        await wait_for(pilot, lambda: "no older poll" in toasts(app), description="the first")
        await pilot.press("right_square_bracket")
        await wait_for(pilot, lambda: "Second?" in pane_text(app), description="forward again")


async def test_a_poll_s_time_runs_out_in_a_quiet_chat(tmp_path: Path) -> None:
    app = make_app(tmp_path, [comment(1, "hi")])
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, settled(app, 1), description="the feed took the event")
        await start(app, "Quick?", "yes", "no", duration_s=1)
        await wait_for(pilot, lambda: "left" in pane_text(app), description="a countdown")
        await wait_for(pilot, lambda: app.runtime.state.polls.open_poll is None, timeout=10,
                       description="the console closed the poll once its time ran out")  # fmt: skip
        poll = app.runtime.state.polls.polls[0]
        assert poll.closed_by == "time" and poll.closed_at == poll.ends_at


def test_the_pane_marks_a_platform_s_poll_and_a_tie() -> None:
    from backstage_tui.events import PlatformPoll, PollOption
    from backstage_tui.state import ConsoleState

    options = (PollOption(text="red", votes=2), PollOption(text="blue", votes=2))
    state = ConsoleState.fold([PlatformPoll(poll_id="9", status="end", title="Colour?",
                                            options=options)])  # fmt: skip
    text = str(poll_text(state.polls.polls[0], T0, 40))
    assert text.startswith("TikTok's poll Colour?") and "a tie" in text and "4 votes" in text


# -- the snapshot --


def test_poll_pane_with_results(snap_compare: SnapCompare, tmp_path: Path) -> None:
    voters = [user(f"v{n}") for n in range(10)]
    events = [comment(1, "poll time!")]
    app = make_app(tmp_path, events, record=False)

    async def vote(pilot: Pilot[Any]) -> None:
        await wait_for(pilot, settled(app, 1), description="the feed took the event")
        await start(app, "Which game next?", "Chess", "Go", "Mahjong 🀄", duration_s=300,
                    ts=T0 + 2)  # fmt: skip
        for n, text in enumerate(["1", "2", "1", "!vote 3", "chess!!", "go", "1", "2", "3", "1"]):
            await app.runtime.publish(comment(10 + n, text, voters[n]))
        await wait_for(pilot, settled(app, 12), description="the votes were folded")
        await wait_for(pilot, lambda: "10 voters" in pane_text(app), description="all counted")
        await pilot.pause(0.1)

    assert snap_compare(app, terminal_size=(120, 34), run_before=vote)


async def test_keys_typed_fast_after_tab_go_to_the_next_field(tmp_path: Path) -> None:
    """Found in tmux under a 3,000/s flood: a question, tab and an option typed in one burst all
    went into the question (the focus moved only once the keys behind tab were handed out)."""
    app = make_app(tmp_path, [comment(1, "hi")])
    async with app.run_test(size=SIZE) as pilot:
        form = await opened(pilot, app)
        # As a terminal delivers a burst: every key queued before the first is handled.
        for key in [*"Snack", "tab", *"chips", "tab", *"popcorn", "shift+tab"]:
            character = "\t" if key == "tab" else (key if len(key) == 1 else None)
            app.post_message(events.Key(key, character))
        option_1 = form.query_one("#poll-option-1", Input)
        await wait_for(pilot, lambda: form.focused is option_1,
                       description="shift+tab came back to the first option")  # fmt: skip
        values = [form.query_one(f, Input).value for f in FIELDS[:3]]
        assert values == ["Snack", "chips", "popcorn"], "each field took its own keys"


# -- the config and a poll already running --


def test_the_config_sets_first_vote_only(tmp_path: Path) -> None:
    from backstage_tui.config import load_settings

    path = tmp_path / "config.toml"
    path.write_text("[polls]\nfirst_vote_only = true\n", encoding="utf-8")
    settings, warning = load_settings(path)
    assert warning is None and settings.polls.first_vote_only


async def test_a_new_poll_says_it_closes_the_running_one_and_keeps_first_votes(
    tmp_path: Path,
) -> None:
    from backstage_tui.config import PollSettings
    from backstage_tui.runtime import SessionRuntime
    from tests.helpers import FakeSource

    runtime = SessionRuntime(FakeSource([comment(1, "hi")]), sessions_dir=tmp_path)
    app = BackstageApp(runtime, polls=PollSettings(first_vote_only=True))
    async with app.run_test(size=SIZE) as pilot:
        await start(app, "Running?", "a", "b")
        form = await opened(pilot, app)
        note = " ".join(str(s.render()) for s in form.query(Static))
        assert "Starting it closes the poll running now: Running?" in note
        await fill(pilot, form, question="Next?", option_1="x", option_2="y")
        await pilot.press("enter")
        await wait_for(pilot, lambda: len(app.runtime.state.polls.polls) == 2,
                       description="the second poll started")  # fmt: skip
        first, second = app.runtime.state.polls.polls
        assert first.closed and first.closed_by == "a new poll"
        assert second.first_vote_only, "the config's first_vote_only goes with the poll"
