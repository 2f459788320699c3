"""Find sources by name through the ``backstage_tui.sources`` entry-point group.

Names are listed without importing anything; only the source asked for is imported, and a missing
optional extra becomes a one-line message that says what to install.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib.metadata import entry_points

from .base import Source, SourceError
from .options import OptionInfo, describe

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


@dataclass(frozen=True, slots=True)
class SourceListing:
    """One installed source as ``backstage sources`` shows it."""

    name: str
    target: str
    """Where it lives, ``module:Class``."""
    builtin: bool
    description: str = ""
    options: tuple[OptionInfo, ...] = ()
    capabilities: tuple[str, ...] = ()
    """What it can forward to the platform (action types), sorted; empty: actions stay local."""
    capabilities_with_options: tuple[tuple[str, str], ...] = ()
    """What it can forward only with certain options: (action type, the options), sorted."""
    records: bool = True
    error: str | None = None
    """Why it could not be loaded (a missing extra: what to install); then nothing else is known."""


def _targets() -> dict[str, str]:
    found = dict(_BUILTIN)
    for ep in entry_points(group=GROUP):
        found[ep.name] = ep.value
    return found


def source_names() -> list[str]:
    """Every installed source's name, without importing any of them."""
    return sorted(_targets())


def list_sources() -> list[SourceListing]:
    """Every installed source with its options and capabilities, by name. Each is imported to
    read its declaration; one that cannot be (a missing extra) is listed with the reason."""
    listings = []
    for name, target in sorted(_targets().items()):
        builtin = _BUILTIN.get(name) == target
        try:
            cls = _load(name, target)
        except SourceError as exc:
            listings.append(SourceListing(name, target, builtin, error=str(exc)))
            continue
        listings.append(
            SourceListing(
                name,
                target,
                builtin,
                description=cls.description,
                options=tuple(describe(cls.Options)),
                capabilities=tuple(sorted(cls.capabilities)),
                capabilities_with_options=tuple(sorted(cls.capabilities_with_options.items())),
                records=cls.records,
            )
        )
    return listings


def load_source(name: str) -> type[Source]:
    """The source class registered as `name`; raises `SourceError` with a one-line message when
    there is none or it cannot be imported (saying which extra to install)."""
    targets = _targets()
    target = targets.get(name)
    if target is None:
        raise SourceError(f"unknown source {name!r} (available: {', '.join(sorted(targets))})")
    return _load(name, target)


def _load(name: str, target: str) -> type[Source]:
    module_name, _, attr = target.partition(":")
    try:
        module = __import__(module_name, fromlist=[attr])
    except ImportError as exc:
        extra = EXTRAS.get(name)
        if extra is None:
            raise SourceError(f"source {name!r} could not be loaded: {_one_line(exc)}") from None
        raise SourceError(
            f"source {name!r} needs an optional extra: pip install 'backstage-tui[{extra}]' ({exc})"
        ) from None
    except Exception as exc:  # noqa: BLE001 - a broken plug-in is reported, never a traceback
        raise SourceError(
            f"source {name!r} could not be loaded: {type(exc).__name__}: {_one_line(exc)}"
        ) from None
    cls = getattr(module, attr, None)
    if not (isinstance(cls, type) and issubclass(cls, Source)):
        raise SourceError(f"source {name!r} ({target}) is not a Source class")
    return cls


def _one_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__
