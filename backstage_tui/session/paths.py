"""Where session logs live and what they are called."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from .. import APP_NAME


def default_sessions_dir(cwd: Path | None = None) -> Path:
    """``./sessions`` when the current folder has one (a checkout, a project folder), else the
    user's data folder, so logs never land in a random working directory."""
    here = (cwd or Path.cwd()) / "sessions"
    if here.is_dir():
        return here
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, appauthor=False) / "sessions"


def log_filename(started: datetime, source: str) -> str:
    """``<UTC start>-<source>.jsonl``, safe on every file system."""
    stamp = started.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    safe_source = re.sub(r"[^A-Za-z0-9_.+-]+", "_", source)[:40] or "source"
    return f"{stamp}-{safe_source}.jsonl"


def new_log_path(sessions_dir: Path, started: datetime, source: str) -> Path:
    """A fresh path: a second session started in the same second gets a numbered name."""
    path = sessions_dir / log_filename(started, source)
    n = 1
    while path.exists():
        n += 1
        path = path.with_name(f"{path.stem.rsplit('~', 1)[0]}~{n}.jsonl")
    return path
