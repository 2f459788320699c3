"""The command's errors: one readable line on stderr, exit 2, never a traceback."""

import subprocess
import sys
from pathlib import Path

import pytest

from backstage_tui import __version__
from tests.helpers import run_cli


def test_version() -> None:
    out = run_cli("--version")
    assert out.returncode == 0 and out.stdout.strip() == f"backstage {__version__}"


def test_help_lists_the_commands() -> None:
    out = run_cli("--help")
    assert out.returncode == 0
    for word in ("--source", "--option", "--sessions-dir", "--headless", "replay", "sources"):
        assert word in out.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--source", "nope"), "unknown source 'nope'"),
        (("--option", "rate"), "KEY=VALUE"),
        (("--option", "rate=fast"), "option rate='fast'"),
        (("--option", "colour=red"), "has no option 'colour'"),
        (("--bogus",), "unrecognized arguments"),
        (("replay", "missing.jsonl"), "no such session log"),
        (("replay",), "required: FILE"),
        (("--source", "jsonl"), "needs option path"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    args: tuple[str, ...], message: str, tmp_path: Path
) -> None:
    out = run_cli(*args, cwd=tmp_path)
    assert out.returncode == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr
    assert lines[0].startswith("backstage: error:") and message in lines[0]
    assert "Traceback" not in out.stderr


def test_corrupt_log_and_bad_speed(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(b"\x00\x01garbage\n")
    out = run_cli("replay", str(bad))
    assert out.returncode == 2 and "not a backstage session log" in out.stderr
    out = run_cli("replay", str(bad), "--speed", "0")
    assert out.returncode == 2 and out.stderr.count("\n") == 1


def test_unwritable_sessions_dir(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    out = run_cli("--sessions-dir", str(blocker / "sub"))
    assert out.returncode == 2
    assert "cannot create sessions folder" in out.stderr and out.stderr.count("\n") == 1


async def test_sessions_show_sums_up_a_log(tmp_path: Path) -> None:
    from backstage_tui.events import Hide, Viewers
    from tests.helpers import chat, record_session

    events = [Viewers(count=120, ts=100.0), *[chat(f"m{i}", ts=100.0 + i) for i in range(30)]]
    log_path = await record_session(tmp_path, events, Hide(target=events[1].id))
    with log_path.open("ab") as f:
        f.write(b'{"type":"comm')  # a torn last line, as after a crash
    out = run_cli("sessions", "show", str(log_path))
    assert out.returncode == 0, out.stderr
    assert "events 32" in out.stdout
    assert "30 comments" in out.stdout and "peak 120" in out.stdout
    assert "1 hidden" in out.stdout and "torn last line" in out.stdout
    listing = run_cli("sessions", "list", "--help")
    assert listing.returncode == 0
    listed = run_cli("--sessions-dir", str(tmp_path), "sessions", "list")
    assert log_path.name in listed.stdout


def test_a_reader_that_leaves_early_gets_no_traceback() -> None:
    """Found as a user would: ``backstage sessions show sessions/sample.jsonl | head`` printed a
    BrokenPipeError traceback once head had its lines."""
    sample = Path(__file__).parents[1] / "sessions" / "sample.jsonl"
    command = [sys.executable, "-m", "backstage_tui.cli", "sessions", "show", str(sample)]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        first = proc.stdout.readline()
        proc.stdout.close()  # what head does once it has its lines
        errors = proc.stderr.read().decode()
        code = proc.wait(timeout=60)
    assert first.startswith(b"session")
    assert "Traceback" not in errors and errors == ""
    assert code == 1
