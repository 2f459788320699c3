"""What-if runs: the sustained flood with one proposed change applied, beside the app as it is.

``python -m benchmarks experiment gc-threshold=700/10/10,frame-60 --seconds 5 --repeat 3`` runs the
headless flood (`flood`, or with ``--measure pty`` the command on a pty) in fresh processes,
alternating the app as it is (``none``) with each variant (``a+b`` combines two), and prints the
median of each figure. A variant is applied in the child before the app starts, by patching; it
changes nothing on disk. These are the measurements behind the proposals in
``docs/performance.md``: once a proposal lands in the app, its variant here becomes a no-op.
"""

from __future__ import annotations

import argparse
import gc
import os
from collections.abc import Callable, Sequence

from .common import Metrics, median, run_child

ENV = "BACKSTAGE_BENCH_VARIANTS"
SHOWN = (
    "sustained_rate",
    "p50_ms",
    "p99_ms",
    "p99_caught_up_ms",
    "frames_per_s",
    "burst_catchup_s",
    "burst_publish_s",
)
PTY_SHOWN = ("pty_rate", "pty_max_backlog", "pty_p50_ms", "pty_p99_ms", "pty_drawn")


def _after_first_frame(action: Callable[[], None]) -> None:
    """Run `action` once `BackstageApp` has drawn its first frame (patched into its `on_mount`)."""
    from backstage_tui.tui.app import BackstageApp

    original = BackstageApp.on_mount

    async def on_mount(self: BackstageApp) -> None:
        await original(self)
        self.call_after_refresh(action)

    BackstageApp.on_mount = on_mount  # type: ignore[method-assign]


def _gc_thresholds(values: str = "10000/10/10") -> None:
    """Other collector thresholds once the first frame is out (``gc-threshold=10000/10/10``:
    a young collection every 10,000 allocations rather than 700)."""
    thresholds = [int(v) for v in values.split("/")]
    _after_first_frame(lambda: gc.set_threshold(*thresholds))


def _no_record() -> None:
    """No recorder at all: what the recorder's thread costs the loop."""
    from . import flood

    flood.RECORD = False


def _frame_60() -> None:
    """Drain the UI's queue 60 times a second instead of 30."""
    from backstage_tui.tui import app

    app.FRAME_S = 1 / 60


def _screen_updates(fps: str = "120") -> None:
    """Textual's screen repaints on a timer at `TEXTUAL_FPS` (60): a refresh asked for just after
    a tick waits for the next one. ``screen-fps=120`` halves that wait (``TEXTUAL_FPS=120`` set
    before Textual is imported does the same)."""
    from textual import screen

    screen.UPDATE_PERIOD = 1 / float(fps)  # type: ignore[misc]


def _switch_interval(seconds: str = "0.001") -> None:
    """How long a thread may hold the GIL while another waits (5 ms by default): the recorder's
    worker serialises on the GIL, and the loop can wait that long for it."""
    import sys

    sys.setswitchinterval(float(seconds))


VARIANTS: dict[str, Callable[..., None]] = {
    "switch": _switch_interval,
    "screen-fps": _screen_updates,
    "gc-threshold": _gc_thresholds,
    "no-record": _no_record,
    "frame-60": _frame_60,
}


def apply_from_environment() -> list[str]:
    """Apply the variants named in the environment (the child side); returns their names."""
    names = [n for n in os.environ.get(ENV, "").split("+") if n and n != "none"]
    for name in names:
        key, _, value = name.partition("=")
        VARIANTS[key](*([value] if value else []))
    return names


def compare(
    variants: Sequence[str], seconds: float, repeat: int, measurement: str = "flood"
) -> dict[str, dict[str, float]]:
    args = [str(seconds), "1.0"] + (["50000"] if measurement == "flood" else [])
    runs: dict[str, list[Metrics]] = {name: [] for name in ("none", *variants)}
    for _ in range(repeat):
        for name in runs:
            os.environ[ENV] = name
            try:
                runs[name].append(run_child(measurement, args))
            finally:
                os.environ.pop(ENV, None)
    keys = SHOWN if measurement == "flood" else PTY_SHOWN
    return {
        name: {key: median([r[key] for r in results]) for key in keys}
        for name, results in runs.items()
    }


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks experiment")
    parser.add_argument("variants", help=f"comma-separated, '+' to combine: {', '.join(VARIANTS)}")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--measure",
        choices=("flood", "pty"),
        default="flood",
        help="headless app, or the command on a pty",
    )
    args = parser.parse_args(argv)
    names = [v.strip() for v in args.variants.split(",") if v.strip()]
    for name in names:
        unknown = [part for part in name.split("+") if part.partition("=")[0] not in VARIANTS]
        if unknown:
            parser.error(f"unknown variant(s): {', '.join(unknown)}")
    table = compare(names, args.seconds, args.repeat, args.measure)
    keys = SHOWN if args.measure == "flood" else PTY_SHOWN
    print(f"{args.measure}: medians of {args.repeat} runs of {args.seconds:g} s at 20,000 events/s")
    for name, figures in table.items():
        print(name)
        print("    " + "  ".join(f"{k} {figures[k]:.4g}" for k in keys))
    return 0
