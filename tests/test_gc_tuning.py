"""The collector's schedule while the console runs: collections just after a frame, not inside one."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from backstage_tui.gc_tuning import OLDER_THRESHOLD, YOUNG_THRESHOLD, CollectorTuning


@pytest.fixture
def tuning() -> Iterator[CollectorTuning]:
    tuning = CollectorTuning()
    tuning.apply()
    gc.collect()  # a known start whatever ran before: every generation's count at 0
    try:
        yield tuning
    finally:
        tuning.restore()


def allocate(count: int) -> list[list[int]]:
    """`count` tracked objects, kept alive so they count as young until a collection."""
    return [[n] for n in range(count)]


def test_a_half_due_collection_runs_after_the_frame(tuning: CollectorTuning) -> None:
    kept = allocate(YOUNG_THRESHOLD // 4)
    young = gc.get_count()[0]
    tuning.after_frame()  # a quarter due: not yet
    assert gc.get_count()[0] >= young
    kept += allocate(YOUNG_THRESHOLD // 3)
    middle = gc.get_count()[1]
    tuning.after_frame()  # over half due: the young generation is collected now
    assert gc.get_count()[0] < YOUNG_THRESHOLD // 100
    assert gc.get_count()[1] == middle + 1
    assert len(kept) > 0


def test_older_generations_in_turn(tuning: CollectorTuning) -> None:
    collected: list[int] = []

    def note(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            collected.append(info["generation"])

    gc.callbacks.append(note)
    try:
        for _ in range(OLDER_THRESHOLD + 1):
            kept = allocate(YOUNG_THRESHOLD // 2 + 1000)
            tuning.after_frame()
            del kept
    finally:
        gc.callbacks.remove(note)
    # Young ones until the middle generation is due, then that one, as CPython would choose.
    assert collected[:OLDER_THRESHOLD] == [0] * OLDER_THRESHOLD
    assert collected[OLDER_THRESHOLD] == 1


def test_nothing_happens_untuned() -> None:
    kept = allocate(YOUNG_THRESHOLD)
    young = gc.get_count()[0]
    CollectorTuning().after_frame()
    assert gc.get_count()[0] >= young and kept
