"""The console's settings: defaults, then a TOML file, then ``BACKSTAGE_*`` environment variables.

The file is ``config.toml`` in the user's config folder (``platformdirs.user_config_path("backstage")``),
or the file named by ``BACKSTAGE_CONFIG``::

    sessions_dir = "~/streams/logs"

    [keys]
    "app.hide" = "x"

    [feed]
    capacity = 5000
    show_activity = true

    [display]
    emoji = "auto"

    [automod.terms.spam]
    terms = ["free coins", "*promo*"]

Environment variables override the file, with ``__`` between nested names:
``BACKSTAGE_FEED__CAPACITY=8000``, ``BACKSTAGE_SESSIONS_DIR=/tmp/logs``.

A bad setting never stops the console and never shows a traceback: `load_settings` drops what it
cannot use, keeps the rest, and returns one readable line that names the file (or variable), the
setting and what is wrong with it, for the caller to show.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from . import APP_NAME
from .automod.settings import AutomodSettings
from .goodbye import LiveSettings
from .safetext import display
from .state.feed import FEED_CAPACITY
from .state.moderation import MUTE_PRESETS_S, REASONS, WATCH_S

ENV_PREFIX = "BACKSTAGE_"
CONFIG_ENV = "BACKSTAGE_CONFIG"
"""Names the config file to read instead of the default one."""
MAX_WARNING = 400


class FeedSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    capacity: int = Field(default=FEED_CAPACITY, ge=100, le=1_000_000)
    """How many feed lines the console keeps; older lines leave the screen (never the log)."""
    show_activity: bool = True
    """Whether gifts, likes, follows, shares and joins show in the feed at start (``f`` toggles)."""


class DisplaySettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    emoji: Literal["auto", "strict", "native"] = "auto"
    """How emoji and other characters terminals draw at different widths are shown. ``strict``: flags
    as ``[MX]``, joiners and skin tones removed, newer emoji as U+FFFD, so no row can tear the panes;
    ``native``: as typed, for terminals that draw what Rich measures; ``auto``: ask the terminal at
    start-up and use ``native`` only when it agrees (never inside tmux or screen)."""
    keycap_brackets: bool = True
    """Under ``strict``, show a keycap emoji (``1️⃣``) as ``[1]``; off: the digit and its keycap mark."""


class ModerationSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    operator: str = Field(default="console", min_length=1, max_length=60)
    """Who acts at this console: recorded with every action, shown in the moderation log."""
    mute_presets: list[float] = Field(default=list(MUTE_PRESETS_S), min_length=1, max_length=9)
    """The mute lengths `t` offers on the digits 1 to 9, in seconds; 0 is the rest of the live."""
    watch_s: float = Field(default=WATCH_S, gt=0, le=86400)
    """How long `w` watches a user, in seconds of the session."""
    reasons: list[str] = Field(default=list(REASONS), max_length=9)
    """The reasons offered after an action on the digits 1 to 9 (empty: no reason is asked)."""
    pin_expire_s: float = Field(default=0, ge=0, le=86400)
    """How long a pin made with `p` stays, in seconds of the session; 0: until it is unpinned.
    Recorded with each pin, so a replay takes it off at the same moment."""

    @field_validator("mute_presets")
    @classmethod
    def _no_negative(cls, value: list[float]) -> list[float]:
        if any(not 0 <= seconds <= 30 * 86400 for seconds in value):
            raise ValueError("each preset is 0 (rest of the live) or up to 30 days in seconds")
        return value


class PollSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    first_vote_only: bool = False
    """True: a viewer's first vote in a poll stands; false: a later vote for another option
    moves theirs. Recorded with each poll when it starts (a replay counts it the same)."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, env_nested_delimiter="__", extra="forbid"
    )
    _READS_ENVIRONMENT: ClassVar[bool] = True
    """False in `_WithoutEnvironment`, the fallback when a variable holds a bad value."""

    feed: FeedSettings = FeedSettings()
    """The chat feed."""
    display: DisplaySettings = DisplaySettings()
    """How viewers' text is drawn."""
    moderation: ModerationSettings = ModerationSettings()
    """Moderation: the operator's name, the mute presets, the watch length, the reasons."""
    polls: PollSettings = PollSettings()
    """Polls in chat (``o``): how votes are counted."""
    sessions_dir: Path | None = None
    """Where session logs go; unset: ``./sessions`` when it exists, else the user data folder. In
    the file, ``~`` is your home folder and a relative path is relative to the file's folder."""

    automod: AutomodSettings = AutomodSettings()
    """Auto-moderation rules (docs/moderation.md)."""

    live: LiveSettings = LiveSettings()
    """Ending the live: the goodbye template and your weekly schedule (``{next_live}``)."""

    keys: dict[str, str] = {}
    """Your own keys, by binding id, e.g. ``"app.hide" = "x"`` or ``"feed.prev" = "k,up,w"``. The
    ids are listed in the README; a key given here replaces that binding's default keys."""

    @field_validator("sessions_dir")
    @classmethod
    def _expand_home(cls, value: Path | None) -> Path | None:
        return None if value is None else value.expanduser()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # `load_settings` passes the file's values as init arguments: the environment wins over them.
        if cls._READS_ENVIRONMENT:
            return (env_settings, init_settings)
        return (init_settings,)


class _WithoutEnvironment(Settings):
    """The same settings with the environment left out, for when a variable holds a bad value."""

    _READS_ENVIRONMENT: ClassVar[bool] = False


def config_path() -> Path:
    """The config file to read: ``$BACKSTAGE_CONFIG``, else ``config.toml`` in the config folder."""
    named = os.environ.get(CONFIG_ENV)
    if named:
        return Path(named).expanduser()
    from platformdirs import user_config_path

    return user_config_path(APP_NAME, appauthor=False) / "config.toml"


def load_settings(path: Path | None = None) -> tuple[Settings, str | None]:
    """The settings, and a one-line warning when something in the file or environment was unusable.

    `path` overrides `config_path()`. A missing default file is no problem; a missing file that was
    asked for, an unreadable file, broken TOML or a bad value gives a warning, and the defaults for
    whatever could not be used.
    """
    explicit = path is not None or bool(os.environ.get(CONFIG_ENV))
    path = path if path is not None else config_path()
    file_problems: list[str] = []
    data = _read_file(path, explicit, file_problems)
    env_problems: list[str] = []
    settings = _validate(data, path, file_problems, env_problems)
    # A rule that cannot be used is off; the others run (`AutomodSettings.problems`).
    file_problems.extend(settings.automod.problems)
    parts: list[str] = []
    if file_problems:
        parts.append(f"config {path}: " + "; ".join(file_problems))
    if env_problems:
        parts.append("environment: " + "; ".join(env_problems) + " (ignored)")
    warning = display(" | ".join(parts), MAX_WARNING) if parts else None
    return settings, warning


def _read_file(path: Path, explicit: bool, problems: list[str]) -> dict[str, Any]:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        if explicit:
            problems.append("no such file; using the defaults")
        return {}
    except OSError as exc:
        problems.append(f"cannot read it ({exc.strerror or exc}); using the defaults")
        return {}
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        problems.append("not UTF-8 text; using the defaults")
        return {}
    except tomllib.TOMLDecodeError as exc:
        problems.append(f"not valid TOML ({exc}); using the defaults")
        return {}
    for key in [k for k in data if k.startswith("_")]:
        # Never let the file reach pydantic-settings' own ``_...`` init arguments.
        del data[key]
        problems.append(f"{key}: not a setting (ignored)")
    folder = data.get("sessions_dir")
    if isinstance(folder, str) and folder:
        expanded = Path(folder).expanduser()
        data["sessions_dir"] = str(expanded if expanded.is_absolute() else path.parent / expanded)
    return data


def _validate(
    data: dict[str, Any], path: Path, file_problems: list[str], env_problems: list[str]
) -> Settings:
    use_env = True
    environment = {name.upper() for name in os.environ}
    # Each round drops what failed; three rounds cover the file's errors, then the environment's.
    for _ in range(3):
        try:
            return Settings(**data) if use_env else _WithoutEnvironment(**data)
        except ValidationError as exc:
            errors = exc.errors()
        for error in errors:
            loc = tuple(str(part) for part in error["loc"])
            dotted = ".".join(loc)
            message = _message(error)
            if use_env and _env_name(loc) in environment:
                env_problems.append(f"{_env_name(loc)}: {message}")
                use_env = False
            elif _pop(data, loc):
                unknown = error["type"] == "extra_forbidden"
                file_problems.append(
                    f"{dotted}: {message}" + (" (ignored)" if unknown else "; using the default")
                )
            elif use_env:
                # Nested JSON in a parent variable, or anything else the environment brought.
                env_problems.append(f"{dotted}: {message}")
                use_env = False
    return _WithoutEnvironment()


def _message(error: Any) -> str:
    if error["type"] == "extra_forbidden":
        return "not a setting"
    value = error.get("input")
    shown = repr(value)
    if len(shown) > 40:
        shown = shown[:40] + "…"
    return f"{error['msg']} (got {shown})"


def _env_name(loc: tuple[str, ...]) -> str:
    return ENV_PREFIX + "__".join(part.upper() for part in loc)


def _pop(data: dict[str, Any], loc: tuple[str, ...]) -> bool:
    """Remove the value at `loc` from the file's data; False when the file did not set it."""
    node: Any = data
    for part in loc[:-1]:
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    if isinstance(node, dict) and loc and loc[-1] in node:
        del node[loc[-1]]
        return True
    return False
