"""Settings: one frozen dataclass, read from one TOML file plus command-line flags.

The file is looked for at --config, then $VOICEBACK_CONFIG, then
/etc/voiceback/config.toml, then ~/.config/voiceback/config.toml; with none, the
defaults below apply. Every key is documented in deploy/config.toml. A bad value
raises ConfigError naming the key (``speech.rate_wpm: must be 80..300, got 900``).
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from voiceback.types import ConfigError

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA_DIR = Path("~/.local/share/voiceback").expanduser()
SEARCH_PATHS = (
    Path("/etc/voiceback/config.toml"),
    Path("~/.config/voiceback/config.toml"),
)


@dataclass(frozen=True, slots=True)
class Settings:
    # [speech]
    voice: str = "espeak"
    """Speaker: "espeak" (pyttsx3 with espeak-ng) or "piper" (the Piper neural voice)."""
    voice_name: str = ""
    """An espeak-ng voice id such as "en-gb" or "en-us"; empty picks English."""
    rate_wpm: int = 150
    """Speech rate in words per minute: calm and clear is slower than espeak's 175."""
    volume: float = 0.9
    """0.0 .. 1.0."""
    speak: bool = True
    """False prints replies without speaking them."""
    output_device: str = ""
    """Speaker: a device name (or part of it) or index; empty = the default output."""
    # [understanding]
    min_confidence: float = 0.45
    """Below this classifier probability it asks again instead of answering."""
    # [listening]
    engine: str = "auto"
    """Recognizer: "auto" (Vosk when its model is installed, else pocketsphinx),
    "pocketsphinx" or "vosk"."""
    input_device: str = ""
    """Microphone: a device name (or part of it) or index; empty = the default input."""
    mode: str = "wake"
    """"wake": a wake phrase opens listening; "always": every confident request is answered."""
    wake_phrase: str = "hey coach"
    follow_up_s: float = 8.0
    """After a reply, how long it listens for a follow-up without the wake phrase."""
    # [coach]
    coach_inhale_s: float = 4.0
    """Breathing coach: seconds of each breath in (within breathing.yaml's bounds, 3..6)."""
    coach_exhale_s: float = 6.0
    """Seconds of each breath out (within breathing.yaml's bounds, 4..9)."""
    coach_minutes: float = 2.0
    """Length of a breathing session in minutes of breathing."""
    # [screen]
    screen_enabled: bool = True
    """Serve the kiosk screen (a page on 127.0.0.1) while `run`, `start` or `chat` runs."""
    screen_port: int = 8765
    # [paths]
    intents_dir: Path = REPO_ROOT / "intents"
    models_dir: Path = REPO_ROOT / "models"
    data_dir: Path = DEFAULT_DATA_DIR
    """Where the SQLite database lives."""
    # [debug]
    record_audio: bool = False
    """Keep each utterance heard as a WAV in <data>/recordings (off: no audio touches disk)."""
    log_transcripts: bool = False
    """Log what was heard (off: transcripts never reach the log or the journal)."""

    @property
    def intent_model_dir(self) -> Path:
        return self.models_dir / "intent"

    @property
    def database(self) -> Path:
        return self.data_dir / "voiceback.db"


_SECTIONS: dict[str, dict[str, str]] = {
    "speech": {
        "voice": "voice",
        "voice_name": "voice_name",
        "rate_wpm": "rate_wpm",
        "volume": "volume",
        "speak": "speak",
        "output_device": "output_device",
    },
    "understanding": {"min_confidence": "min_confidence"},
    "listening": {
        "engine": "engine",
        "input_device": "input_device",
        "mode": "mode",
        "wake_phrase": "wake_phrase",
        "follow_up_s": "follow_up_s",
    },
    "coach": {
        "inhale_s": "coach_inhale_s",
        "exhale_s": "coach_exhale_s",
        "minutes": "coach_minutes",
    },
    "screen": {"enabled": "screen_enabled", "port": "screen_port"},
    "paths": {"intents": "intents_dir", "models": "models_dir", "data": "data_dir"},
    "debug": {"record_audio": "record_audio", "log_transcripts": "log_transcripts"},
}
VOICES = ("espeak", "piper")
ENGINES = ("auto", "pocketsphinx", "vosk")
MODES = ("wake", "always")


def find_config(explicit: str | None) -> Path | None:
    """The config file to read, or None for the defaults."""
    if explicit:
        path = Path(explicit).expanduser()
        if not path.is_file():
            raise ConfigError(f"{path}: config file not found")
        return path
    env = os.environ.get("VOICEBACK_CONFIG")
    if env:
        path = Path(env).expanduser()
        if not path.is_file():
            raise ConfigError(f"{path}: config file (from VOICEBACK_CONFIG) not found")
        return path
    for candidate in SEARCH_PATHS:
        if candidate.expanduser().is_file():
            return candidate.expanduser()
    return None


def load_settings(path: Path | None, **overrides: Any) -> Settings:
    """Defaults <- the TOML file <- overrides (command-line flags, None = not given)."""
    values: dict[str, Any] = {}
    if path is not None:
        values.update(_read_toml(path))
    values.update({k: v for k, v in overrides.items() if v is not None})
    settings = Settings(**_coerce(values, str(path or "flags")))
    _validate(settings, str(path or "flags"))
    return settings


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{path}: not valid TOML ({err})") from err
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(f"{path}: cannot be read ({err})") from err
    values: dict[str, Any] = {}
    for section, table in data.items():
        if section not in _SECTIONS:
            raise ConfigError(f"{path}: unknown section [{section}]")
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: {section} must be a table ([{section}])")
        for key, value in table.items():
            if key not in _SECTIONS[section]:
                raise ConfigError(f"{path}: unknown key {section}.{key}")
            values[_SECTIONS[section][key]] = (f"{section}.{key}", value)
    base = path.parent
    for name in ("intents_dir", "models_dir", "data_dir"):
        if name in values:
            key, raw = values[name]
            if isinstance(raw, str):
                resolved = Path(raw).expanduser()
                values[name] = (key, resolved if resolved.is_absolute() else base / resolved)
    return values


def _key_for(field_name: str) -> str:
    for section, keys in _SECTIONS.items():
        for key, name in keys.items():
            if name == field_name:
                return f"{section}.{key}"
    return field_name


def _coerce(values: dict[str, Any], origin: str) -> dict[str, Any]:
    types = {f.name: f.type for f in fields(Settings)}
    out: dict[str, Any] = {}
    for name, raw in values.items():
        key, value = raw if isinstance(raw, tuple) else (_key_for(name), raw)
        kind = types[name]
        out[name] = _coerce_one(key, value, kind, origin)
    return out


def _coerce_one(key: str, value: Any, kind: object, origin: str) -> Any:
    if kind in ("bool", bool):
        if not isinstance(value, bool):
            raise ConfigError(f"{origin}: {key} must be true or false, got {value!r}")
        return value
    if kind in ("int", int):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{origin}: {key} must be a whole number, got {value!r}")
        return value
    if kind in ("float", float):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(f"{origin}: {key} must be a number, got {value!r}")
        return float(value)
    if kind in ("Path", Path):
        if not isinstance(value, str | Path):
            raise ConfigError(f"{origin}: {key} must be a path, got {value!r}")
        return Path(value).expanduser()
    if not isinstance(value, str):
        raise ConfigError(f"{origin}: {key} must be text, got {value!r}")
    return value


def _validate(settings: Settings, origin: str) -> None:
    checks = (
        ("speech.voice", settings.voice in VOICES, f"must be one of {', '.join(VOICES)}"),
        ("speech.rate_wpm", 80 <= settings.rate_wpm <= 300, "must be 80..300"),
        ("speech.volume", 0.0 <= settings.volume <= 1.0, "must be 0.0..1.0"),
        ("understanding.min_confidence", 0.0 <= settings.min_confidence < 1.0, "must be 0..1"),
        ("listening.engine", settings.engine in ENGINES, f"must be one of {', '.join(ENGINES)}"),
        ("listening.mode", settings.mode in MODES, f"must be one of {', '.join(MODES)}"),
        ("listening.wake_phrase", bool(settings.wake_phrase.strip()), "must not be empty"),
        ("listening.follow_up_s", 0.0 <= settings.follow_up_s <= 60.0, "must be 0..60"),
        ("coach.inhale_s", 3.0 <= settings.coach_inhale_s <= 6.0, "must be 3..6"),
        ("coach.exhale_s", 4.0 <= settings.coach_exhale_s <= 9.0, "must be 4..9"),
        ("coach.minutes", 0.5 <= settings.coach_minutes <= 30.0, "must be 0.5..30"),
        ("screen.port", 1024 <= settings.screen_port <= 65535, "must be 1024..65535"),
    )
    for key, ok, rule in checks:
        if not ok:
            name = _SECTIONS[key.split(".")[0]][key.split(".")[1]]
            got = getattr(settings, name)
            raise ConfigError(f"{origin}: {key} {rule}, got {got!r}")
