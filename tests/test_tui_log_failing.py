"""The disk refuses the log while the console runs: Status says so at once and keeps saying it,
with the events not on disk; the console keeps running, and an action still applies on screen and
says it is not in the log (issue 12, "Proven crash safety")."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from backstage_tui.session import SessionReader
from backstage_tui.tui.actions import NOT_RECORDED
from backstage_tui.tui.panes import StatusPane
from tests.helpers import comment, end_live, make_app, settled, wait_for


def status_text(app: object) -> str:
    return str(app.query_one(StatusPane).render())  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("code", "words"),
    [(errno.ENOSPC, "No space left on device"), (errno.EACCES, "Permission denied")],
)
async def test_a_refusing_disk_is_shown_at_once_and_actions_say_they_are_not_recorded(
    tmp_path: Path, code: int, words: str
) -> None:
    app = make_app(tmp_path, [comment(1, "first"), comment(2, "hide me")])
    async with app.run_test(size=(110, 34)) as pilot:
        await wait_for(pilot, settled(app, 2), description="the two comments shown")
        recorder = app.runtime.recorder
        assert recorder is not None

        def refuse(fd: int, data: memoryview) -> int:
            raise OSError(code, os.strerror(code))

        recorder._os_write = refuse  # type: ignore[method-assign]
        await pilot.press("k")  # the newest: "hide me"
        assert app.feed.selected_event is not None and app.feed.selected_event.id == "c2"
        await pilot.press("d")
        await wait_for(pilot, lambda: "c2" in app.runtime.state.moderation.hidden,
                       description="the message hidden on screen all the same")  # fmt: skip
        await wait_for(
            pilot,
            lambda: any(NOT_RECORDED in str(n.message) for n in app._notifications),
            description="the hide's toast saying it is not in the log",
        )
        await wait_for(
            pilot,
            lambda: "LOG FAILING" in status_text(app) and words in status_text(app),
            description="the failing log on the Status pane",
        )
        assert "1 events not on disk (held in memory)" in status_text(app)
        assert any(words in str(n.message) and n.severity == "error" for n in app._notifications)
        assert app.is_running

        # Room again: the held events are written, and the pane still says what happened.
        del recorder._os_write
        await app.runtime.publish(comment(3, "later"))
        await wait_for(pilot, lambda: "LOG FAILING" not in status_text(app),
                       description="the log healthy again")  # fmt: skip
        assert "written later" in status_text(app)
        await end_live(pilot, app)
    assert app.runtime.log_path is not None
    events = SessionReader(app.runtime.log_path).events()
    assert [e.type for e in events] == ["comment", "comment", "hide", "comment"]
