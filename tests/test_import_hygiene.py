"""The core must never import Textual or Rich: it runs headless in tests, benchmarks and tools."""

import subprocess
import sys

CORE = [
    "backstage_tui.events",
    "backstage_tui.bus",
    "backstage_tui.safetext",
    "backstage_tui.width_table",
    "backstage_tui.terminal_probe",
    "backstage_tui.state",
    "backstage_tui.session",
    "backstage_tui.runtime",
    "backstage_tui.sources",
    "backstage_tui.sources.demo",
    "backstage_tui.sources.jsonl",
    "backstage_tui.sources.replay",
    "backstage_tui.cli",
    "backstage_tui.config",
]


def test_core_imports_no_ui_library() -> None:
    code = (
        "import importlib, sys\n"
        f"for name in {CORE!r}: importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"core pulled in: {out.stdout.strip()}"
