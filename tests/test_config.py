"""Settings: defaults, then a TOML file, then ``BACKSTAGE_*`` variables; a bad value never stops
the console and always gives one readable line that names the file or variable and the setting."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backstage_tui.config import Settings, load_settings
from backstage_tui.state import FEED_CAPACITY
from backstage_tui.state.moderation import MUTE_PRESETS_S
from tests.helpers import header, is_one_readable_line


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in list(os.environ):
        if name.upper().startswith("BACKSTAGE_"):
            monkeypatch.delenv(name)
    return monkeypatch


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_config_values_are_read_and_the_environment_wins(
    tmp_path: Path, clean_env: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path / "c.toml", 'sessions_dir = "logs"\n[feed]\ncapacity = 8000\n')
    settings, warning = load_settings(path)
    assert warning is None
    assert settings.feed.capacity == 8000 and settings.feed.show_activity is True
    assert settings.sessions_dir == tmp_path / "logs"  # relative to the file
    clean_env.setenv("BACKSTAGE_FEED__CAPACITY", "300")
    clean_env.setenv("BACKSTAGE_FEED__SHOW_ACTIVITY", "false")
    settings, warning = load_settings(path)
    assert warning is None
    assert settings.feed.capacity == 300 and settings.feed.show_activity is False


def test_config_file_named_by_the_environment(
    tmp_path: Path, clean_env: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path / "other.toml", "[feed]\nshow_activity = false\n")
    clean_env.setenv("BACKSTAGE_CONFIG", str(path))
    settings, warning = load_settings()
    assert warning is None and settings.feed.show_activity is False
    clean_env.setenv("BACKSTAGE_CONFIG", str(tmp_path / "missing.toml"))
    settings, warning = load_settings()
    assert settings == Settings()
    assert warning is not None and "missing.toml" in warning and "no such file" in warning


def test_a_missing_default_config_is_fine(tmp_path: Path, clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("XDG_CONFIG_HOME", str(tmp_path))
    settings, warning = load_settings()
    assert warning is None and settings == Settings()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('[feed]\ncapacity = "lots"\nshow_activity = false\n', "feed.capacity: Input should be a valid integer"),
        ("[feed]\ncapacity = 12\n", "feed.capacity: Input should be greater than or equal to 100"),
        ('[feed]\nshow_activity = "maybe"\n', "feed.show_activity: Input should be a valid boolean"),
        ("feed = 5\n", "feed: Input should be a valid dictionary"),
        ("sessions_dir = 3\n", "sessions_dir: Input is not a valid path"),
        ("colour = 'red'\n", "colour: not a setting (ignored)"),
        ("[feed\ncapacity = 1\n", "not valid TOML (Expected ']'"),
        ("_env_prefix = 'X_'\n", "_env_prefix: not a setting (ignored)"),
    ],
)  # fmt: skip
def test_a_bad_config_gives_defaults_and_one_readable_line(
    tmp_path: Path, clean_env: pytest.MonkeyPatch, text: str, expected: str
) -> None:
    path = write(tmp_path / "config.toml", text)
    settings, warning = load_settings(path)
    assert warning is not None and is_one_readable_line(warning)
    assert warning.startswith(f"config {path}: ")
    assert expected in warning
    assert settings.feed.capacity == Settings().feed.capacity
    if "show_activity = false" in text:
        assert settings.feed.show_activity is False  # the good values in the same file are kept


def test_a_bad_environment_value_is_named_and_ignored(
    tmp_path: Path, clean_env: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path / "config.toml", "[feed]\ncapacity = 9000\n")
    clean_env.setenv("BACKSTAGE_FEED__CAPACITY", "abc")
    settings, warning = load_settings(path)
    assert settings.feed.capacity == 9000
    assert warning is not None and is_one_readable_line(warning)
    assert "BACKSTAGE_FEED__CAPACITY: Input should be a valid integer" in warning


def test_unreadable_and_binary_config_files(tmp_path: Path, clean_env: pytest.MonkeyPatch) -> None:
    settings, warning = load_settings(tmp_path)  # a folder
    assert settings == Settings() and warning is not None and "cannot read it" in warning
    binary = tmp_path / "c.toml"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    settings, warning = load_settings(binary)
    assert settings == Settings() and warning is not None and "not UTF-8" in warning


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=300) | st.text(max_size=300).map(lambda t: t.encode("utf-8", "replace")))
def test_any_config_file_loads_with_at_most_one_clean_line(data: bytes) -> None:
    saved = {k: v for k, v in os.environ.items() if k.upper().startswith("BACKSTAGE_")}
    for key in saved:
        del os.environ[key]
    try:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "config.toml"
            path.write_bytes(data)
            settings, warning = load_settings(path)
    finally:
        os.environ.update(saved)
    assert isinstance(settings, Settings)
    if warning is not None:
        assert is_one_readable_line(warning)
        for ch in warning:
            assert unicodedata.category(ch) not in ("Cc", "Cs"), repr(ch)


def test_the_defaults_are_the_consoles_own() -> None:
    assert Settings().feed.capacity == FEED_CAPACITY  # one constant, the feed state's
    assert Settings().sessions_dir is None and Settings().keys == {}


def test_config_file_sets_the_sessions_folder_and_a_bad_one_only_warns(tmp_path: Path) -> None:
    logs = tmp_path / "my logs"
    logs.mkdir()
    # A log with its header line only (a live that ended before its first event).
    (logs / "20261129T000000Z-demo.jsonl").write_text(header().model_dump_json() + "\n")
    config = tmp_path / "config.toml"
    config.write_text(f'sessions_dir = "{logs}"\n')
    env = {**os.environ, "BACKSTAGE_CONFIG": str(config)}
    out = subprocess.run(
        [sys.executable, "-m", "backstage_tui.cli", "sessions", "list"],
        capture_output=True, text=True, timeout=60, env=env,
    )  # fmt: skip
    assert out.returncode == 0 and "20261129T000000Z-demo.jsonl" in out.stdout
    assert out.stderr == ""

    config.write_text('[feed]\ncapacity = "lots"\n')
    out = subprocess.run(
        [sys.executable, "-m", "backstage_tui.cli", "sessions", "list"],
        capture_output=True, text=True, timeout=60, env=env, cwd=tmp_path,
    )  # fmt: skip
    assert out.returncode == 0
    warning = out.stderr.strip().splitlines()
    assert len(warning) == 1 and "feed.capacity" in warning[0] and str(config) in warning[0]


def test_moderation_settings_and_their_defaults(
    tmp_path: Path, clean_env: pytest.MonkeyPatch
) -> None:
    settings, warning = load_settings(write(tmp_path / "none.toml", ""))
    assert warning is None
    assert tuple(settings.moderation.mute_presets) == MUTE_PRESETS_S
    assert settings.moderation.operator == "console"
    text = '[moderation]\noperator = "sam"\nmute_presets = [5, 0]\nreasons = ["spam"]\n'
    settings, warning = load_settings(write(tmp_path / "c.toml", text))
    assert warning is None
    assert settings.moderation.operator == "sam" and settings.moderation.mute_presets == [5, 0]
    bad = "[moderation]\nmute_presets = [-1]\nwatch_s = 0\n"
    settings, warning = load_settings(write(tmp_path / "bad.toml", bad))
    assert warning is not None and is_one_readable_line(warning)
    assert "moderation.mute_presets" in warning and "moderation.watch_s" in warning
    assert tuple(settings.moderation.mute_presets) == MUTE_PRESETS_S
