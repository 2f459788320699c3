"""``python -m benchmarks``: the whole suite in one run; see `benchmarks/__init__.py`."""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from .common import LONG_SHARE, SIZES, Metrics, Sizes, emit, run_child

# (metric, comparison, target, what the target says)
TARGETS: tuple[tuple[str, str, float, str], ...] = (
    ("sustained_kept_up", ">=", 1, "kept up with 20,000/s (within 3%, under 1 s behind)"),
    ("p99_ms", "<=", 50, "p99 publication -> first frame that drew it"),
    ("pty_kept_up", ">=", 1, "the real command on a pty kept up with 20,000/s"),
    ("pty_p99_ms", "<=", 50, "p99 on a pty: line into the pipe -> its bytes on the terminal"),
    ("three_sustained_kept_up", ">=", 1, "three sources at once kept up with 20,000/s in all"),
    ("three_p99_ms", "<=", 50, "p99 with three sources at once"),
    ("poll_sustained_kept_up", ">=", 1, "kept up with 20,000/s with a poll open"),
    ("poll_p99_ms", "<=", 50, "p99 with a poll open (votes counted)"),
    ("ws_kept_up", ">=", 1, "the websocket source kept up with 20,000/s over loopback"),
    ("ws_log_missing", "<=", 0, "the log holds every event the websocket server sent"),
    ("burst_catchup_s", "<=", 1.0, "50,000 at once: until the last is on screen"),
    ("burst_log_missing", "<=", 0, "the log holds the whole burst"),
    ("rss_mb_1m", "<=", 100, "resident memory after 1M events"),
    ("recorder_events_per_s", ">=", 100_000, "recorder rate to disk"),
    ("show_1m_s", "<=", 4, "backstage sessions show --brief, 1M-event log"),
    ("export_csv_1m_s", "<=", 10, "backstage sessions export --format csv, 1M-event log"),
    ("replay_seek_p99_ms", "<=", 300, "replay: seek anywhere in the log, p99 of random targets"),
    ("search_query_ms", "<=", 200, "slowest query, 100 sessions / 10M events"),
    ("search_index_events_per_s", ">=", 200_000, "search index build rate"),
    ("show_vs_raw", "<=", 10, "show / bare orjson decode of the same file"),
    ("version_s", "<=", 0.3, "backstage --version"),
    ("first_frame_s", "<=", 1, "start to first drawn frame"),
)

# What the table shows, in order: (metric, label, format).
ROWS: tuple[tuple[str, str, str], ...] = (
    ("sustained_rate", "sustained_rate (events/s, slowest consumer)", "{:,.0f}"),
    ("sustained_kept_up", "  kept up (1 = yes)", "{:.0f}"),
    ("p50_ms", "  p50_ms", "{:.1f}"),
    ("p99_ms", "p99_ms (publication -> first frame)", "{:.1f}"),
    ("p99_caught_up_ms", "  p99 to a frame at or past it, every event", "{:.1f}"),
    ("frames_per_s", "  frames/s under the flood", "{:.1f}"),
    ("sustained_skipped", "  skipped on screen", "{:,.0f}"),
    ("long_share", "  share of long (wrapping) comments", "{:.2f}"),
    ("burst_catchup_s", "burst_catchup_s (50,000 at once)", "{:.3f}"),
    ("burst_publish_s", "  of which publishing the burst", "{:.3f}"),
    ("burst_log_missing", "  burst events missing from the log", "{:,.0f}"),
    ("log_missing", "  any event missing from the log", "{:,.0f}"),
    ("rules", "  with the rules on (default set + 200 terms; 1 = yes)", "{:.0f}"),
    ("three_sustained_rate", "three sources at once (20,000/s in all)", "{:,.0f}"),
    ("three_sustained_kept_up", "  kept up (1 = yes)", "{:.0f}"),
    ("three_p99_ms", "  p99_ms", "{:.1f}"),
    ("three_burst_catchup_s", "  burst_catchup_s (50,000 from one of them)", "{:.3f}"),
    ("three_log_missing", "  any event missing from the log", "{:,.0f}"),
    ("poll_sustained_rate", "a poll open (20,000/s, 30% of comments votes)", "{:,.0f}"),
    ("poll_sustained_kept_up", "  kept up (1 = yes)", "{:.0f}"),
    ("poll_p99_ms", "  p99_ms", "{:.1f}"),
    ("poll_burst_catchup_s", "  burst_catchup_s", "{:.3f}"),
    ("poll_voters", "  viewers whose vote counted", "{:,.0f}"),
    ("poll_us_per_comment", "  polls reducer per event, a poll open, new voters (us)", "{:.2f}"),
    ("poll_repeat_us_per_comment", "  the same again, voters and texts known (us)", "{:.2f}"),
    ("poll_idle_us_per_comment", "  polls reducer per event, none open (us)", "{:.2f}"),
    ("pty_rate", "pty_rate (real command on a pty, jsonl stdin)", "{:,.0f}"),
    ("pty_kept_up", "  kept up (1 = yes)", "{:.0f}"),
    ("pty_p50_ms", "  pty_p50_ms", "{:.1f}"),
    ("pty_p99_ms", "  pty_p99_ms (pipe -> terminal bytes)", "{:.1f}"),
    ("pty_max_backlog", "  pty writer's largest backlog (lines)", "{:,.0f}"),
    ("pty_log_missing", "  pty events missing from the log", "{:,.0f}"),
    ("ws_rate", "ws_rate (websocket source over loopback, headless)", "{:,.0f}"),
    ("ws_kept_up", "  kept up (1 = yes)", "{:.0f}"),
    ("ws_max_backlog", "  largest backlog behind the server's schedule", "{:,.0f}"),
    ("ws_log_missing", "  events missing from the log", "{:,.0f}"),
    ("baseline_richlog_rate", "baseline_richlog_rate (RichLog.write per message)", "{:,.0f}"),
    ("baseline_richlog_p99_ms", "baseline_richlog_p99_ms", "{:.1f}"),
    ("rss_mb_1m", "rss_mb_1m (after the events below)", "{:.1f}"),
    ("rss_peak_mb_1m", "  peak", "{:.1f}"),
    ("rss_events", "  events through the live session", "{:,.0f}"),
    ("recorder_events_per_s", "recorder_events_per_s", "{:,.0f}"),
    ("recorder_loop_p99_lag_ms", "  event-loop p99 lag while it writes (ms)", "{:.1f}"),
    ("show_1m_s", "show_1m_s (backstage sessions show --brief)", "{:.2f}"),
    ("show_summary_used", "  read the summary line (1 = yes)", "{:.0f}"),
    ("show_full_1m_s", "show --full (every line read and folded)", "{:.2f}"),
    ("show_details_1m_s", "show (+ top lists, polls, moderation: every line)", "{:.2f}"),
    ("show_fold_1m_s", "  read + fold in process", "{:.2f}"),
    ("raw_decode_1m_s", "raw_decode_1m_s (orjson.loads per line)", "{:.2f}"),
    ("show_vs_raw", "  show / raw", "{:.1f}x"),
    ("show_full_vs_raw", "  show --full / raw", "{:.1f}x"),
    ("show_events", "  events in the log", "{:,.0f}"),
    ("export_csv_1m_s", "export_csv_1m_s (backstage sessions export, csv to a file)", "{:.2f}"),
    ("export_json_1m_s", "  the same as json", "{:.2f}"),
    ("export_events", "  events (rows read back with the csv reader)", "{:,.0f}"),
    ("replay_seek_p99_ms", "replay_seek_p99_ms (state at a random event)", "{:.1f}"),
    ("replay_seek_p50_ms", "  p50", "{:.1f}"),
    ("replay_seek_max_ms", "  slowest", "{:.1f}"),
    (
        "replay_seek_cpu_p99_ms",
        "  p99 in CPU time (what load on the machine does not change)",
        "{:.1f}",
    ),
    ("replay_index_s", "  index built as the replay opens (s)", "{:.2f}"),
    ("replay_index_mb", "  memory the index holds (MB)", "{:.1f}"),
    ("replay_events", "  events in the log", "{:,.0f}"),
    ("search_query_ms", "search_query_ms (slowest of 7 queries, warm)", "{:.1f}"),
    ("search_query_p50_ms", "  median query", "{:.1f}"),
    ("search_index_events_per_s", "search_index_events_per_s (from empty)", "{:,.0f}"),
    ("search_events", "  events in the corpus", "{:,.0f}"),
    ("search_sessions", "  sessions", "{:,.0f}"),
    ("search_index_mb", "  index size (MB)", "{:,.0f}"),
    ("search_incremental_ms", "  refresh after 1,000 events appended", "{:.1f}"),
    ("search_command_s", "  backstage sessions search, fresh process", "{:.2f}"),
    ("version_s", "version_s", "{:.3f}"),
    ("first_frame_s", "first_frame_s", "{:.3f}"),
    ("automod_us_per_comment", "automod_us_per_comment (default rules + 200 terms)", "{:.2f}"),
    (
        "automod_unique_us_per_comment",
        "  the same, every text distinct (none remembered)",
        "{:.2f}",
    ),
    ("automod_terms_in_loop_us", "  anchor: the 200 terms in a plain `in` loop", "{:.2f}"),
    ("automod_decided_share", "  share of the demo's messages judged", "{:.3f}"),
)

MEASUREMENTS = (
    "startup", "recorder", "show", "export", "replay", "search", "rss", "flood", "sources3",
    "poll_flood", "baseline", "pty", "ws", "automod",
)  # fmt: skip
LOG_MEASUREMENTS = ("show", "export", "replay")
"""The measurements that read the big session log (made once, by `make-log`, unless --log)."""


def child(argv: Sequence[str]) -> int:
    """Run one measurement in this (fresh) process and print its JSON line."""
    name, *args = argv
    result: Metrics
    if name == "flood":
        from . import experiments, flood

        experiments.apply_from_environment()
        long_share = float(args[3]) if len(args) > 3 else LONG_SHARE
        result = flood.run(float(args[0]), float(args[1]), int(args[2]), long_share)
    elif name == "sources3":
        from . import flood

        three = flood.run(float(args[0]), float(args[1]), int(args[2]), sources=3)
        result = {f"three_{key}": value for key, value in three.items()}
    elif name == "poll_flood":
        from . import flood, poll_flood

        polled = flood.run(float(args[0]), float(args[1]), int(args[2]), poll=True)
        result = {f"poll_{key}": value for key, value in polled.items()}
        result.update(poll_flood.reducer_cost(int(args[3])))
    elif name == "baseline":
        from . import baseline

        result = baseline.run(float(args[0]), float(args[1]))
    elif name == "pty":
        from . import pty_flood

        result = pty_flood.measure(float(args[0]), float(args[1]))
    elif name == "ws":
        from . import ws_flood

        result = ws_flood.run(float(args[0]), float(args[1]))
    elif name == "rss":
        from . import memory

        result = memory.run(int(args[0]))
    elif name == "recorder":
        from . import recorder

        result = recorder.run(int(args[0]))
    elif name == "show":
        from . import show

        result = show.measure(Path(args[0]))
    elif name == "search":
        from . import search

        result = search.measure(args[0])
    elif name == "export":
        from . import export

        result = export.measure(Path(args[0]))
    elif name == "startup":
        from . import startup

        result = startup.measure(int(args[0]), int(args[1]))
    elif name == "automod":
        from . import automod_cost

        result = automod_cost.run(int(args[0]))
    elif name == "replay":
        from . import replay_seek

        result = replay_seek.measure(Path(args[0]))
    elif name == "make-log":
        from . import makelog

        result = {"make_log_s": makelog.run(int(args[0]), Path(args[1]))}
    else:
        raise SystemExit(f"unknown measurement {name!r}")
    emit(result)
    return 0


def machine() -> dict[str, Any]:
    model = platform.processor() or "?"
    try:
        with open("/proc/cpuinfo") as f:
            model = next(
                (ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name")), model
            )
    except OSError:
        pass
    import pydantic
    import textual

    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "textual": textual.__version__,
        "pydantic": pydantic.VERSION,
        "os": platform.platform(),
    }


def run_suite(
    sizes: Sizes,
    only: Sequence[str],
    log: Path | None,
    progress: Callable[[str], None],
    long_share: float | None = None,
) -> dict[str, Any]:
    """Every measurement in `only`; `long_share` (None: the flood's default) is the share of
    comments the headless flood makes long enough to wrap."""
    result: dict[str, Any] = {}
    errors: dict[str, str] = {}
    timings: dict[str, float] = {}
    load_before = os.getloadavg()

    def measure(name: str, args: Sequence[object]) -> None:
        if name not in only:
            return
        progress(f"{name} ...")
        started = time.perf_counter()
        try:
            result.update(run_child(name, [str(a) for a in args]))
        except Exception as exc:  # noqa: BLE001 - one failing measurement must not hide the others
            errors[name] = str(exc)
            progress(f"{name} FAILED: {exc}")
        timings[name] = round(time.perf_counter() - started, 1)

    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        measure("startup", [sizes.version_runs, sizes.first_frame_runs])
        measure("recorder", [sizes.recorder_events])
        if any(name in only for name in LOG_MEASUREMENTS):
            path = log
            if path is None:
                path = Path(tmp) / "show.jsonl"
                measure("make-log", [sizes.show_events, path])
            if path.exists():
                measure("show", [path])
                measure("export", [path])
                measure("replay", [path])
        measure("search", [sizes.mode])
        measure("rss", [sizes.rss_events])
        flood_args: list[object] = [sizes.sustained_s, sizes.warmup_s, sizes.burst]
        measure("flood", flood_args if long_share is None else [*flood_args, long_share])
        measure("sources3", flood_args)
        measure("poll_flood", [*flood_args, sizes.automod_events])
        measure("baseline", [sizes.baseline_s, sizes.warmup_s])
        measure("pty", [sizes.pty_s, sizes.warmup_s])
        measure("ws", [sizes.sustained_s, sizes.warmup_s])
        measure("automod", [sizes.automod_events])
    result["meta"] = {
        "mode": sizes.mode,
        "sizes": sizes.describe(),
        "machine": machine(),
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "seconds": timings,
        "errors": errors,
        "verdicts": verdicts(result),
        "when": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
    }
    return result


def verdicts(result: dict[str, Any]) -> dict[str, bool | None]:
    out: dict[str, bool | None] = {}
    for key, op, target, _ in TARGETS:
        value = result.get(key)
        if not isinstance(value, int | float) or math.isnan(value):
            out[key] = None
        else:
            out[key] = value >= target if op == ">=" else value <= target
    return out


def table(result: dict[str, Any]) -> str:
    meta = result["meta"]
    targets = {key: (op, target) for key, op, target, _ in TARGETS}
    lines = [
        f"backstage benchmarks ({meta['mode']} run, {meta['when']})",
        f"machine: {meta['machine']['cpu']}, {meta['machine']['cores']} cores, Python "
        f"{meta['machine']['python']}, Textual {meta['machine']['textual']}; load average "
        f"{meta['load_average_before'][0]} before, {meta['load_average_after'][0]} after",
    ]
    if meta["mode"] != "full":
        lines.append(f"sizes ({meta['mode']}; the full run uses the issue's): {meta['sizes']}")
    lines.append("")
    width = max(len(label) for _, label, _ in ROWS)
    lines.append(f"{'metric':<{width}}  {'value':>12}  target")
    for key, label, fmt in ROWS:
        value = result.get(key)
        shown = "-" if not isinstance(value, int | float) else fmt.format(value)
        target = ""
        if key in targets:
            op, goal = targets[key]
            verdict = meta["verdicts"].get(key)
            mark = "?" if verdict is None else ("ok" if verdict else "MISSED")
            target = f"{op} {goal:,g}  {mark}"
        lines.append(f"{label:<{width}}  {shown:>12}  {target}")
    for name, error in meta["errors"].items():
        lines.append(f"\n{name} failed:\n{error}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] == "_child":
        return child(args[1:])
    if args and args[0] == "_app":
        # The real command with an experiment's variant applied (see `experiments`).
        from backstage_tui.cli import main as backstage

        from . import experiments

        experiments.apply_from_environment()
        return backstage(args[1:])
    if args and args[0] == "make-log":
        parser = argparse.ArgumentParser(prog="python -m benchmarks make-log")
        parser.add_argument("count", type=int, help="how many events")
        parser.add_argument("file", type=Path, help="the new log file")
        options = parser.parse_args(args[1:])
        from . import makelog

        spent = makelog.run(options.count, options.file)
        print(f"{options.count:,} events written to {options.file} in {spent:.1f} s")
        return 0
    if args and args[0] == "profile":
        from . import profile

        return profile.main(args[1:])
    if args and args[0] == "experiment":
        from . import experiments

        return experiments.main(args[1:])
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Measure backstage under floods; prints a table (or --json).",
        epilog="Also: 'python -m benchmarks make-log N FILE', 'python -m benchmarks profile'.",
    )
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="smaller sizes: about a minute")
    size.add_argument("--smoke", action="store_true", help="tiny sizes: proves every piece runs")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--log", type=Path, help="a session log for show_1m_s (see make-log)")
    parser.add_argument(
        "--only", default=",".join(MEASUREMENTS), help=f"comma-separated: {','.join(MEASUREMENTS)}"
    )
    parser.add_argument(
        "--long-share",
        type=_share,
        default=None,
        metavar="SHARE",
        help="share of comments the headless flood makes 150 characters long, so they wrap "
        f"(0 to 1; default {LONG_SHARE:g}, 0 for one-line chat)",
    )
    options = parser.parse_args(args)
    sizes = SIZES["smoke" if options.smoke else "quick" if options.quick else "full"]
    only = [name.strip() for name in options.only.split(",") if name.strip()]
    unknown = sorted(set(only) - set(MEASUREMENTS))
    if unknown:
        parser.error(f"unknown measurement(s): {', '.join(unknown)}")
    if any(name in only for name in LOG_MEASUREMENTS):
        only.append("make-log")

    def progress(text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    result = run_suite(sizes, only, options.log, progress, options.long_share)
    if options.json:
        print(json.dumps(_finite(result), allow_nan=False))
    else:
        print(table(result))
    return 1 if result["meta"]["errors"] else 0


def _share(text: str) -> float:
    value = float(text)
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"a share is between 0 and 1, not {text}")
    return value


def _finite(value: Any) -> Any:
    """NaN (a measurement with nothing to measure) as null: JSON has no NaN."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


if __name__ == "__main__":
    sys.exit(main())
