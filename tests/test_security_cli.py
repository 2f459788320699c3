"""What the `backstage` command prints outside the screen is sanitised too.

A session log can come from someone else ("replay any saved session"), and its damaged lines are
reported on the terminal: pydantic's message for an unknown event type quotes the type, raw. Source
errors, file names and usage errors reach the terminal the same way. None of them may carry an
escape sequence to the terminal.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import orjson
import pytest

from backstage_tui import cli
from backstage_tui.runtime import SessionRuntime
from backstage_tui.session import SessionReader
from backstage_tui.session.reader import Problem
from tests.helpers import ListSource

PAYLOAD = "\x1b]0;PWNED\x07\x9b6n\u202e"


def hostile_log(path: Path) -> Path:
    header = {"type": "header", "source": PAYLOAD, "started": "2026-11-29T01:02:03Z"}
    lines = [
        orjson.dumps(header),
        orjson.dumps({"type": "comment", "user": {"id": "1", "name": PAYLOAD}, "text": PAYLOAD}),
        orjson.dumps({"type": PAYLOAD, "user": {"id": "1"}}),  # a damaged line quoting the payload
    ]
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


def assert_terminal_safe(out: str) -> None:
    for ch in ("\x1b", "\x07", "\x9b", "\u202e"):
        assert ch not in out, f"{ch!r} printed to the terminal: {out!r}"


def test_sessions_show_on_a_hostile_log(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = hostile_log(tmp_path / "hostile.jsonl")
    assert SessionReader(path).events()  # the log is readable, with one damaged line
    assert cli.main(["sessions", "show", str(path)]) == 0
    out, err = capsys.readouterr()
    assert_terminal_safe(out + err)
    assert "damaged   1 lines skipped" in out and "␛]0;PWNED␇" in out


def test_sessions_list_with_a_hostile_file_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    hostile_log(tmp_path / "\x1b]0;PWNED\x07.jsonl")
    assert cli.main(["--sessions-dir", str(tmp_path), "sessions", "list"]) == 0
    out, _ = capsys.readouterr()
    assert_terminal_safe(out)
    assert "␛]0;PWNED␇.jsonl" in out


def test_the_exit_report_is_sanitised(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    runtime = SessionRuntime(ListSource(), sessions_dir=tmp_path, record=False)
    runtime.source_error = f"source 'x' failed: ValueError: {PAYLOAD}"
    status = replace(
        runtime.status(), source_problems=(str(Problem(3, f"corrupt line ({PAYLOAD})")),)
    )
    cli._report(status)
    _, err = capsys.readouterr()
    assert_terminal_safe(err)
    assert "line 3: corrupt line (␛]0;PWNED␇" in err
    assert "failed: ValueError: ␛]0;PWNED␇" in err


def test_usage_errors_are_sanitised(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--source", PAYLOAD]) == cli.EXIT_USAGE
    assert cli.main(["--option", PAYLOAD]) == cli.EXIT_USAGE
    assert cli.main(["replay", f"/nonexistent/{PAYLOAD}.jsonl"]) == cli.EXIT_USAGE
    _, err = capsys.readouterr()
    assert_terminal_safe(err)
    assert err.count("backstage: error:") == 3


def test_sessions_stats_with_a_hostile_title_and_file_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The stats print each live's title (typed into the end-of-live form, or written by whoever
    made the log) and name skipped files: both sanitised."""
    path = hostile_log(tmp_path / "a.jsonl")
    data = path.read_bytes().replace(b'"type":"header"', b'"type":"header","title":"' + orjson.dumps(PAYLOAD)[1:-1] + b'"', 1)  # fmt: skip
    path.write_bytes(data)
    (tmp_path / "\x1b]0;PWNED\x07.jsonl").write_bytes(b"not a log\n")
    assert cli.main(["--sessions-dir", str(tmp_path), "sessions", "stats"]) == 0
    out, err = capsys.readouterr()
    assert_terminal_safe(out + err)
    assert "!␛]0;PWNED␇" in out and "skipped ␛]0;PWNED␇.jsonl" in err
