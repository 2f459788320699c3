"""``backstage sources`` and plug-ins: the example package under ``examples/`` really installed
(a wheel built and installed into a folder of its own), found through its entry point, listed with
its options and run through ``--source``; a plug-in that cannot be imported is listed with why."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from collections.abc import Iterator
from importlib.metadata import EntryPoint
from pathlib import Path

import pytest

from backstage_tui.session import SessionReader
from backstage_tui.sources import registry
from tests.helpers import is_one_readable_line, run_cli

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "backstage-source-example"


@pytest.fixture(scope="module")
def installed_example(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """The example installed into a folder of its own; the environment that puts it on the path."""
    if importlib.util.find_spec("hatchling") is None:
        pytest.skip(
            "hatchling (the example's build backend) is not installed: pip install -e '.[dev]'"
        )
    target = tmp_path_factory.mktemp("plugin-site")
    done = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
         "--no-index", "--target", str(target), str(EXAMPLE)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert list(target.glob("backstage_source_example-*.dist-info/entry_points.txt"))
    yield {"PYTHONPATH": str(target)}


def test_sources_lists_the_built_ins_with_options_and_capabilities() -> None:
    out = run_cli("sources")
    assert out.returncode == 0, out.stderr
    blocks = {block.split()[0]: block for block in out.stdout.strip().split("\n\n")}
    assert {"demo", "jsonl", "replay"} <= set(blocks)
    demo = blocks["demo"]
    assert demo.startswith("demo  (built-in)  a simulated TikTok LIVE")
    assert "  rate   number   default 12  events per second" in demo
    assert "forwards: nothing (actions stay in the console)" in demo
    assert "path    text        required" in blocks["jsonl"]
    assert "not recorded" in blocks["replay"]


def test_the_example_plugin_is_listed_and_runs(
    installed_example: dict[str, str], tmp_path: Path
) -> None:
    listed = run_cli("sources", env=installed_example)
    assert listed.returncode == 0, listed.stderr
    (block,) = [b for b in listed.stdout.split("\n\n") if b.startswith("countdown")]
    assert "plug-in backstage_source_example:CountdownSource" in block
    assert "start  integer  default 5" in block and "seconds between ticks" in block

    out = run_cli(
        "--headless", "--source", "countdown", "-o", "start=3", "-o", "every=0.01",
        "--sessions-dir", str(tmp_path), env=installed_example,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    (log,) = tmp_path.glob("*-countdown.jsonl")
    events = SessionReader(log).events()
    texts = [getattr(e, "text", None) for e in events if e.type == "comment"]
    assert texts == ["3…", "2…", "1…", "liftoff!"]
    assert {e.source for e in events} == {"countdown"}

    bad = run_cli("--headless", "--source", "countdown", "-o", "start=0", env=installed_example)
    assert bad.returncode == 2 and is_one_readable_line(bad.stderr.strip())
    assert (
        "option start='0' for source 'countdown': input should be greater than or equal to 1"
        in (bad.stderr)
    )


def test_a_plugin_that_cannot_load_is_listed_with_the_reason(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    plugins = [
        EntryPoint("fancy", "backstage_fancy_platform_sdk_missing:Fancy", registry.GROUP),
        EntryPoint("broken", "backstage_plugin_missing_module:Broken", registry.GROUP),
        EntryPoint("notasource", "pathlib:Path", registry.GROUP),
    ]
    monkeypatch.setattr(registry, "entry_points", lambda group: plugins)
    monkeypatch.setitem(registry.EXTRAS, "fancy", "fancy")
    listings = {listing.name: listing for listing in registry.list_sources()}
    assert listings["fancy"].error is not None
    assert listings["fancy"].error.startswith(
        "source 'fancy' needs an optional extra: pip install 'backstage-tui[fancy]'"
    )
    assert listings["broken"].error == (
        "source 'broken' could not be loaded: No module named 'backstage_plugin_missing_module'"
    )
    assert (
        listings["notasource"].error == "source 'notasource' (pathlib:Path) is not a Source class"
    )
    assert listings["demo"].error is None and listings["demo"].builtin
    assert not listings["broken"].builtin
    # Listing names imports nothing.
    assert "broken" in registry.source_names()


def test_the_listing_shows_a_broken_plugin_in_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from backstage_tui import cli

    plugin = EntryPoint("broken", "backstage_plugin_missing_module:Broken", registry.GROUP)
    monkeypatch.setattr(registry, "entry_points", lambda group: [plugin])
    assert cli.main(["sources"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    (block,) = [b for b in out.split("\n\n") if b.startswith("broken")]
    assert block == (
        "broken  (plug-in backstage_plugin_missing_module:Broken)\n"
        "  not available: source 'broken' could not be loaded: "
        "No module named 'backstage_plugin_missing_module'"
    )
    assert "demo  (built-in)" in out


def test_a_plugins_own_words_reach_the_terminal_sanitised(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from backstage_tui import cli
    from tests.helpers import FakeSource

    payload = "\x1b]0;PWNED\x07\x9b6n\u202e"
    monkeypatch.setattr(FakeSource, "description", f"fake {payload}")
    monkeypatch.setattr(FakeSource, "capabilities", frozenset({f"send_{payload}"}))
    plugin = EntryPoint(f"x{payload}", "tests.helpers:FakeSource", registry.GROUP)
    monkeypatch.setattr(registry, "entry_points", lambda group: [plugin])
    assert cli.main(["sources"]) == 0
    out, _ = capsys.readouterr()
    for ch in ("\x1b", "\x07", "\x9b", "\u202e"):
        assert ch not in out
    assert "fake ␛]0;PWNED␇" in out and "forwards: send ␛]0;PWNED␇" in out
