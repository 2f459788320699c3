"""backstage's benchmark suite: the whole app under floods, beside the plain-widget anchor.

``python -m benchmarks`` runs every measurement, each in a fresh child process, and prints a table;
``--json`` prints one JSON object instead (``python -m benchmarks --json > figures.json``);
``--quick`` uses smaller sizes (about a minute) and ``--smoke`` tiny ones (the test suite's).
``python -m benchmarks make-log N FILE`` writes an N-event session log through the real recorder;
``python -m benchmarks --log FILE`` then uses it for ``show_1m_s``. ``python -m benchmarks profile``
samples where the time goes under the sustained flood. See ``docs/performance.md``.

Modules, one per measurement: `flood` (sustained rate, latency, burst, headless real app),
`pty_flood` (the real command on a pseudo-terminal), `ws_flood` (the websocket source over
loopback), `baseline` (a plain `RichLog`), `memory`
(resident memory), `recorder`, `show` (reading a big log back), `startup` (``--version``, first
frame), `makelog`; shared pieces in `common`, `probe` (seeing frames) and `terminal` (the pty).
"""

KEYS: tuple[str, ...] = (
    "sustained_rate",
    "p99_ms",
    "burst_catchup_s",
    "burst_log_missing",
    "rss_mb_1m",
    "recorder_events_per_s",
    "show_1m_s",
    "raw_decode_1m_s",
    "baseline_richlog_rate",
    "baseline_richlog_p99_ms",
    "version_s",
    "first_frame_s",
    "pty_rate",
    "pty_p99_ms",
    "ws_rate",
    "ws_kept_up",
    "poll_sustained_rate",
    "poll_p99_ms",
    "poll_voters",
)
"""The figures the issue asks for; every run's JSON has them as numbers."""
