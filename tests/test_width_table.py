"""`backstage_tui/width_table.py` is what `tools/make_width_table.py` makes from Rich and wcwidth."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from backstage_tui import width_table

pytest.importorskip("wcwidth", minversion="0.8")

SCRIPT = Path(__file__).resolve().parent.parent / "tools" / "make_width_table.py"


def load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_width_table", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def code_points(ranges: tuple[tuple[int, int], ...] | list[tuple[int, int]]) -> set[int]:
    return {code for start, end in ranges for code in range(start, end + 1)}


def test_the_committed_table_is_what_the_script_makes() -> None:
    script = load_script()
    if script.versions() == width_table.MADE_WITH:
        assert script.render() == script.TARGET.read_text(encoding="utf-8"), (
            "width_table.py differs from what tools/make_width_table.py makes: rerun it"
        )
        return
    # Other library versions than the table was made with: every character they disagree on must
    # still be covered (a newer Rich or wcwidth may know more), so the policy keeps its promise.
    missing = set(script.unstable_code_points()) - code_points(width_table.UNSTABLE)
    assert not missing, (
        f"rich/wcwidth {script.versions()} find {len(missing)} unstable characters the table "
        f"(made with {width_table.MADE_WITH}) lacks, e.g. {sorted(missing)[:5]}: "
        "rerun tools/make_width_table.py"
    )
    assert code_points(script.ranges(script.joiners())) <= code_points(width_table.JOINERS)


def test_the_table_holds_what_tmux_and_old_terminals_draw_differently() -> None:
    unstable = code_points(width_table.UNSTABLE)
    assert 0x1FAE8 in unstable  # shaking face, Unicode 15: tmux 3.3a draws it zero cells wide
    assert 0x1F97A in unstable  # pleading face, Unicode 11: one cell in Unicode 9 tables
    assert 0x093E in unstable  # Devanagari vowel sign AA: Rich 0 cells, terminals 1
    assert 0x1F602 not in unstable  # face with tears of joy: two cells everywhere
    assert 0x094D in code_points(width_table.JOINERS)  # Devanagari virama
