"""SIGKILL at random moments, on the real recording path at full speed: every log reads back as a
clean prefix, and every action the console showed as done is in it (issue 12, "Proven crash
safety"). A few kills in the default run; ``pytest -m slow`` runs `SLOW_KILLS` of them."""

from __future__ import annotations

import random
import subprocess
import sys
import time
from pathlib import Path

import pytest

from backstage_tui.session import SessionReader

CHILD = Path(__file__).with_name("crash_child.py")
QUICK_KILLS = 3
SLOW_KILLS = 40
START_TIMEOUT_S = 60.0


def kill_at_random(folder: Path, seed: int, rng: random.Random) -> tuple[Path, set[str]]:
    """Start the child, let it record for a random moment, SIGKILL it; its log and the ids of the
    actions it had reported done."""
    child = subprocess.Popen(
        [sys.executable, str(CHILD), str(folder), str(seed)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        first = child.stdout.readline()  # blocks until the log is open (or the child died)
        assert first.startswith("log "), f"the child did not start: {first!r}"
        # The kill's moment is what is random here, not a wait for anything to happen.
        time.sleep(rng.uniform(0.0, 1.5))
    finally:
        child.kill()
    out, err = child.communicate(timeout=START_TIMEOUT_S)
    assert child.returncode == -9, err
    done = {line.split(" ", 1)[1] for line in out.splitlines() if line.startswith("done ")}
    return Path(first.split(" ", 1)[1].strip()), done


def check_clean_prefix(log: Path, done: set[str]) -> None:
    reader = SessionReader(log)  # the header is there, or this raises
    events = reader.events()
    assert events, "nothing recorded before the kill"
    assert [e.seq for e in events] == list(range(1, len(events) + 1)), "seq has a gap"
    # At most one problem: a torn last line, reported as such.
    assert len(reader.problems) <= 1, reader.problems
    if reader.problems:
        assert reader.torn_tail and "torn last line" in str(reader.problems[0])
        assert reader.problems[0].line == len(events) + 2  # the header, the events, then it
    recorded = {e.id for e in events}
    missing = done - recorded
    assert not missing, f"{len(missing)} actions shown as done are not in the log"


def run_kills(tmp_path: Path, count: int) -> None:
    rng = random.Random()
    acted = 0
    for n in range(count):
        folder = tmp_path / f"kill{n}"
        log, done = kill_at_random(folder, seed=n, rng=rng)
        check_clean_prefix(log, done)
        acted += len(done)
    assert acted > 0, "no action was taken before any of the kills: the test proved nothing"


def test_sigkill_at_random_moments_leaves_a_clean_prefix(tmp_path: Path) -> None:
    run_kills(tmp_path, QUICK_KILLS)


@pytest.mark.slow
def test_sigkill_many_times_leaves_a_clean_prefix_every_time(tmp_path: Path) -> None:
    run_kills(tmp_path, SLOW_KILLS)
