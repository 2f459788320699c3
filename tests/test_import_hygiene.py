"""The rooms keep to their imports (docs/architecture.md's "may import" column).

Two checks: the import contracts in pyproject.toml (`lint-imports`), read from the source, which
name the room and the line that broke a rule; and a fresh interpreter that imports the core and
proves Textual and Rich never load, which also catches an import made at run time.
"""

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

CORE = [
    "backstage_tui.events",
    "backstage_tui.bus",
    "backstage_tui.safetext",
    "backstage_tui.width_table",
    "backstage_tui.terminal_probe",
    "backstage_tui.matching",
    "backstage_tui.automod.engine",
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


@pytest.mark.skipif(
    importlib.util.find_spec("importlinter") is None,
    reason="import-linter is not installed (pip install -e '.[dev]')",
)
def test_import_contracts_are_kept() -> None:
    code = (
        "import sys\n"
        "from importlinter.cli import lint_imports\n"
        "sys.exit(lint_imports(config_filename='pyproject.toml', no_cache=True, no_logo=True))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, f"import contracts broken:\n{done.stdout}\n{done.stderr}"
    assert "0 broken" in done.stdout
