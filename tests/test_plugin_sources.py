"""``backstage sources`` and plug-ins: every source listed with its options and capabilities; a
plug-in that cannot be imported is listed with why."""

from __future__ import annotations

from importlib.metadata import EntryPoint
from pathlib import Path

import pytest

from backstage_tui.sources import registry
from tests.helpers import run_cli

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "backstage-source-example"


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
