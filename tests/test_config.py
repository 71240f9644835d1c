"""Settings: defaults, the TOML file, and errors that name the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from voiceback.config import REPO_ROOT, Settings, find_config, load_settings
from voiceback.types import ConfigError


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text)
    return path


def test_defaults_without_a_file() -> None:
    settings = load_settings(None)
    assert settings == Settings()
    assert settings.intents_dir == REPO_ROOT / "intents"


def test_documented_example_file_loads_and_matches_defaults() -> None:
    settings = load_settings(REPO_ROOT / "deploy" / "config.toml")
    assert settings.rate_wpm == Settings().rate_wpm
    assert settings.volume == Settings().volume
    assert settings.min_confidence == Settings().min_confidence


def test_values_and_relative_paths(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '[speech]\nrate_wpm = 130\nvolume = 1\nvoice_name = "en-gb"\n'
        '[paths]\ndata = "state"\nmodels = "/opt/vb/models"\n',
    )
    settings = load_settings(path)
    assert settings.rate_wpm == 130
    assert settings.volume == 1.0
    assert settings.voice_name == "en-gb"
    assert settings.data_dir == tmp_path / "state"
    assert settings.models_dir == Path("/opt/vb/models")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[speech]\nrate_wpm = 900\n", r"speech\.rate_wpm must be 80\.\.300, got 900"),
        ("[speech]\nrate_wpm = 'fast'\n", r"speech\.rate_wpm must be a whole number"),
        ("[speech]\nvolume = 2.5\n", r"speech\.volume must be 0\.0\.\.1\.0"),
        ("[speech]\nspeak = 'yes'\n", r"speech\.speak must be true or false"),
        ("[speech]\nvoice = 'robot'\n", r"speech\.voice must be one of espeak"),
        ("[speech]\nrate = 120\n", r"unknown key speech\.rate"),
        ("[sound]\nvolume = 1\n", r"unknown section \[sound\]"),
        ("[understanding]\nmin_confidence = 1.5\n", r"understanding\.min_confidence"),
        ("speech = 3\n", r"speech must be a table"),
        ("[speech\nrate_wpm = 1\n", r"not valid TOML"),
    ],
)
def test_bad_values_name_the_key(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError, match=message) as err:
        load_settings(path)
    assert str(path) in str(err.value)


def test_explicit_missing_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ConfigError, match="config file not found"):
        find_config(str(tmp_path / "nope.toml"))
    monkeypatch.setenv("VOICEBACK_CONFIG", str(tmp_path / "gone.toml"))
    with pytest.raises(ConfigError, match="VOICEBACK_CONFIG"):
        find_config(None)
    path = write(tmp_path, "[speech]\nrate_wpm = 120\n")
    monkeypatch.setenv("VOICEBACK_CONFIG", str(path))
    assert find_config(None) == path
