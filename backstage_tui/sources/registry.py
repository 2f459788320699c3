"""Find sources by name through the ``backstage_tui.sources`` entry-point group.

Names are listed without importing anything; only the source asked for is imported, and a missing
optional extra becomes a one-line message that says what to install.
"""

from __future__ import annotations

from importlib.metadata import entry_points

from .base import Source, SourceError

GROUP = "backstage_tui.sources"

# The built-in sources are declared in pyproject.toml like any plug-in. These are the same targets,
# used only when the package runs without being installed (a plain checkout on sys.path).
_BUILTIN = {
    "demo": "backstage_tui.sources.demo:DemoSource",
    "replay": "backstage_tui.sources.replay:ReplaySource",
    "jsonl": "backstage_tui.sources.jsonl:JsonlSource",
    "websocket": "backstage_tui.sources.websocket:WebsocketSource",
    "twitch": "backstage_tui.sources.twitch:TwitchSource",
    "tiktok": "backstage_tui.sources.tiktok:TikTokSource",
}
# Which extra provides which plug-in's imports, for the message when it is missing.
EXTRAS = {"tiktok": "tiktok"}


def _targets() -> dict[str, str]:
    found = dict(_BUILTIN)
    for ep in entry_points(group=GROUP):
        found[ep.name] = ep.value
    return found


def source_names() -> list[str]:
    return sorted(_targets())


def load_source(name: str) -> type[Source]:
    targets = _targets()
    target = targets.get(name)
    if target is None:
        raise SourceError(f"unknown source {name!r} (available: {', '.join(sorted(targets))})")
    module_name, _, attr = target.partition(":")
    try:
        module = __import__(module_name, fromlist=[attr])
    except ImportError as exc:
        extra = EXTRAS.get(name)
        if extra is None:
            raise SourceError(f"source {name!r} could not be loaded: {exc}") from None
        raise SourceError(
            f"source {name!r} needs an optional extra: pip install 'backstage-tui[{extra}]' ({exc})"
        ) from None
    cls = getattr(module, attr, None)
    if not (isinstance(cls, type) and issubclass(cls, Source)):
        raise SourceError(f"source {name!r} ({target}) is not a Source class")
    return cls
