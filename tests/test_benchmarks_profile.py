"""The py-spy profile's bookkeeping: which share a sampled stack goes to (no sampling here)."""

from __future__ import annotations

from benchmarks.wall_profile import categorise, parse_stack

LOOP = (
    "<module> (benchmarks/__main__.py:300);run (asyncio/runners.py:190);"
    "BaseEventLoop._run_once (/usr/lib/python3.11/asyncio/base_events.py:1922);"
    "Handle._run (/usr/lib/python3.11/asyncio/events.py:80)"
)
SITE = "/venv/lib/python3.11/site-packages"


def line(tail: str, count: int = 1) -> str:
    return f"{LOOP};{tail} {count}"


def test_a_stack_line_is_read_into_functions_and_package_paths() -> None:
    frames, count = parse_stack(
        f"BackstageApp.draw_frame (/work/x/backstage_tui/tui/app.py:129);"
        f"Screen._on_timer_update ({SITE}/textual/screen.py:1250) 7"
    )
    assert count == 7
    assert [(f.function, f.path) for f in frames] == [
        ("draw_frame", "backstage_tui/tui/app.py"),
        ("_on_timer_update", "textual/screen.py"),
    ]


def test_each_stack_goes_to_the_first_category_that_owns_it() -> None:
    paint = "BackstageApp.draw_frame (backstage_tui/tui/app.py:129);BackstageApp._paint_now (backstage_tui/tui/app.py:160)"
    loop, recorder = categorise(
        [
            line("EpollSelector.select (/usr/lib/python3.11/selectors.py:468)", 10),
            line(
                f"{paint};Compositor.render_update ({SITE}/textual/_compositor.py:1100);"
                "FeedView.render_line (backstage_tui/tui/feed_view.py:330)",
                3,
            ),
            line(f"{paint};Compositor.render_update ({SITE}/textual/_compositor.py:1100)", 2),
            line(
                "consume (backstage_tui/bus.py:240);ConsoleState.apply_all (backstage_tui/state/console.py:40)",
                4,
            ),
            line(
                "SessionRuntime._pump (backstage_tui/runtime.py:93);EventBus.publish (backstage_tui/bus.py:168)",
                5,
            ),
            # The benchmark reading the log back after the run: not the flood's.
            line(
                "measure (benchmarks/flood.py:120);SessionReader.batches (backstage_tui/session/reader.py:100)",
                50,
            ),
            "Thread.run (threading.py:975);SessionRecorder._write_batch_sync (backstage_tui/session/recorder.py:120) 6",
            "Thread.run (threading.py:975);_worker (concurrent/futures/thread.py:81) 40",
        ]
    )
    assert loop == {
        "idle: waiting in select for a timer or I/O": 10,
        "frame: the feed's own line building": 3,
        "frame: the compositor, the side panes, the footer": 2,
        "the reducers": 4,
        "the bus stamping and delivering": 5,
    }
    assert recorder == {"the recorder's worker thread, busy": 6}


def test_what_started_the_loop_does_not_own_its_samples() -> None:
    # On the real command the loop runs inside Textual's App.run: that is not Textual's work.
    under_textual = (
        f"main (backstage_tui/cli.py:200);App.run ({SITE}/textual/app.py:2100);"
        "BaseEventLoop._run_once (/usr/lib/python3.11/asyncio/base_events.py:1922);"
        "Handle._run (/usr/lib/python3.11/asyncio/events.py:80);"
        "JsonlSource._stdin_events (backstage_tui/sources/jsonl.py:290);"
        "LineDecoder.feed (backstage_tui/sources/jsonl.py:66) 9"
    )
    loop, _ = categorise([under_textual])
    assert loop == {"a source reading and parsing its input": 9}
