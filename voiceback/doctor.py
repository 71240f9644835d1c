"""Self-checks: `voiceback doctor`, and what to say aloud at start when something is wrong.

Each check returns a `CheckResult` in plain words with what to do about a failure. The
checks are real: the microphone is opened and half a second of it is measured, the
intent model and the recognizer are loaded and run, a word is synthesized, and the
database is written to. `run_checks` runs them all; the hands-free loop may run the
cheap ones at start and say `spoken_problems(...)` aloud (the user can't read a log
from bed).
"""

from __future__ import annotations

import argparse
import json
import logging
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from voiceback.config import Settings, find_config
from voiceback.types import VoicebackError

log = logging.getLogger(__name__)

LISTEN_S = 0.5
"""How much live microphone audio the input check measures."""
HELP_SENTENCE = "Someone can run voiceback doctor to see what to fix."


@dataclass(frozen=True, slots=True)
class CheckResult:
    """One self-check: its verdict in words a person understands, and the fix."""

    name: str
    ok: bool
    message: str
    fix: str = ""
    """What to do about a failure (a command to run, a setting to change)."""
    spoken: str = ""
    """A short sentence to say aloud when it failed ("I can't hear the microphone.")."""


def _passed(name: str, message: str) -> CheckResult:
    return CheckResult(name, True, message)


def check_config(settings: Settings, config_path: Path | None) -> CheckResult:
    """The settings were read (a bad file never gets this far: the CLI stops with the
    key named) and the intents they point at load."""
    from voiceback.knowledge import load_knowledge

    where = f"settings from {config_path}" if config_path else "no config file, default settings"
    try:
        knowledge = load_knowledge(settings.intents_dir)
    except VoicebackError as err:
        return CheckResult(
            "config",
            False,
            f"{where}, but the answers can't be loaded: {err}",
            "correct the intents file named above, or paths.intents in the config",
            "My answers can't be loaded.",
        )
    return _passed("config", f"{where}; {len(knowledge.labels)} intents loaded")


def check_microphone(settings: Settings, listen_s: float = LISTEN_S) -> CheckResult:
    """Open the configured input, read `listen_s` of live audio, report its level."""
    from voiceback.audio import MicSource

    spec = settings.input_device
    source = MicSource(int(spec) if spec.isdigit() else (spec or None), noise_floor_dbfs=None)
    fix = "plug in the microphone, or set listening.input_device (see `voiceback devices`)"
    try:
        source.open()
        pcm = b""
        while len(pcm) < listen_s * 32_000:
            pcm += source.read().pcm
    except VoicebackError as err:
        message = f"the microphone can't be used: {err}"
        return CheckResult("microphone", False, message, fix, "I can't hear the microphone.")
    finally:
        source.close()
    name = source.device.name if source.device else "(default)"
    samples = np.frombuffer(pcm, dtype="<i2").astype(np.float64)
    if not samples.any():
        return CheckResult(
            "microphone",
            False,
            f"the microphone {name!r} opens but sends only silence (muted, or switched off?)",
            "unmute the microphone's capture (alsamixer, F4) or choose another input",
            "The microphone seems to be muted.",
        )
    level_dbfs = 10 * np.log10(np.mean((samples / 32768.0) ** 2) + 1e-12)
    return _passed("microphone", f"{name!r} is live, input level {level_dbfs:.0f} dBFS")


def check_speaker(settings: Settings) -> CheckResult:
    """The configured output device exists and accepts the speech format."""
    from voiceback.audio import list_devices
    from voiceback.audio.devices import sounddevice

    spec = settings.output_device
    device: int | str | None = int(spec) if spec.isdigit() else (spec or None)
    fix = "plug in the speaker, or set speech.output_device (see `voiceback devices`)"
    spoken = "I can't find the speaker."
    try:
        sd = sounddevice()
        outputs = [d for d in list_devices() if d.outputs > 0]
    except VoicebackError as err:
        return CheckResult("speaker", False, str(err), "apt-get install libportaudio2", spoken)
    if not outputs:
        message = "no speaker found: PortAudio lists no output devices"
        return CheckResult("speaker", False, message, fix, spoken)
    try:
        sd.check_output_settings(device=device, channels=1, samplerate=22_050, dtype="int16")
        name = sd.query_devices(device, "output")["name"]
    except (sd.PortAudioError, ValueError) as err:
        message = f"no speaker to play on ({spec or 'the default output'}): {err}"
        return CheckResult("speaker", False, message, fix, spoken)
    return _passed("speaker", f"{name!r} plays 22050 Hz speech")


def check_intent_model(settings: Settings) -> CheckResult:
    """The trained intent model is there, loads, and classifies a request."""
    from voiceback.nlu import NLU

    try:
        nlu = NLU.load(settings.intent_model_dir, settings.min_confidence)
        heard = nlu.understand("should i use heat or ice")
    except VoicebackError as err:
        return CheckResult(
            "intent model",
            False,
            str(err),
            "run `voiceback train` (with the same --config) to build models/intent",
            "My language model is missing, so I can't understand requests yet.",
        )
    return _passed("intent model", f"{settings.intent_model_dir} loads ('{heard.intent}')")


def check_recognizer(settings: Settings) -> CheckResult:
    """The speech recognizer's models are there, load, and decode a moment of audio."""
    from voiceback.stt import POCKETSPHINX_DIR_NAME, choose_engine, make_recognizer

    spoken = "My speech recognition model is missing, so I may not understand you."
    engine = choose_engine(settings.engine, settings.models_dir)  # type: ignore[arg-type]
    domain = settings.models_dir / POCKETSPHINX_DIR_NAME / "domain.lm"
    if engine == "pocketsphinx" and not domain.is_file():
        return CheckResult(
            "speech recognizer",
            False,
            f"the speech language model is missing ({domain}); only generic English is left",
            "run `voiceback train` (with the same --config) to build it",
            spoken,
        )
    try:
        recognizer = make_recognizer(settings.engine, settings.models_dir)  # type: ignore[arg-type]
        recognizer.accept(np.zeros(8_000, dtype="<i2").tobytes())
        recognizer.finish()
    except VoicebackError as err:
        fix = 'run `voiceback models download`, or set listening.engine = "pocketsphinx"'
        if engine == "pocketsphinx":
            fix = "run `voiceback train` (with the same --config) to rebuild models/pocketsphinx"
        return CheckResult("speech recognizer", False, str(err), fix, spoken)
    used = type(recognizer).__name__.removesuffix("Recognizer")
    extra = "" if engine == "vosk" else "; `voiceback models download` adds the better Vosk model"
    return _passed("speech recognizer", f"{used} loads and decodes{extra}")


def check_speech(settings: Settings) -> CheckResult:
    """Speech synthesis turns a word into audio."""
    from voiceback.tts import Pyttsx3Synthesizer

    try:
        synth = Pyttsx3Synthesizer(settings.voice_name, settings.rate_wpm, settings.volume)
        speech = synth.synthesize("Hello.")
    except VoicebackError as err:
        return CheckResult(
            "speech synthesis",
            False,
            str(err),
            "install espeak-ng (apt-get install espeak-ng), or fix speech.voice_name",
            "My voice is not working properly.",
        )
    if speech.duration_s < 0.1:
        return CheckResult(
            "speech synthesis",
            False,
            f"espeak-ng made only {speech.duration_s:.2f} s of audio for 'Hello.'",
            "reinstall espeak-ng (apt-get install --reinstall espeak-ng)",
            "My voice is not working properly.",
        )
    return _passed("speech synthesis", f"'Hello.' is {speech.duration_s:.1f} s of speech")


def check_database(settings: Settings) -> CheckResult:
    """The database opens and takes a write (the time of this check)."""
    from voiceback.store import Store

    try:
        store = Store(settings.database)
        try:
            store.put("doctor_checked_at", f"{time.time():.0f}")
        finally:
            store.close()
    except VoicebackError as err:
        return CheckResult(
            "database",
            False,
            f"the database can't be written: {err}",
            f"make {settings.data_dir} writable by the user voiceback runs as "
            "(e.g. sudo chown -R voiceback: it), or set paths.data",
            "I can't save anything, so I won't remember your pain log or settings.",
        )
    return _passed("database", f"{settings.database} is writable")


def run_checks(settings: Settings, config_path: Path | None = None) -> list[CheckResult]:
    """Every check, in the order a person would fix things."""
    checks: list[tuple[str, Callable[[], CheckResult]]] = [
        ("config", lambda: check_config(settings, config_path)),
        ("microphone", lambda: check_microphone(settings)),
        ("speaker", lambda: check_speaker(settings)),
        ("speech synthesis", lambda: check_speech(settings)),
        ("intent model", lambda: check_intent_model(settings)),
        ("speech recognizer", lambda: check_recognizer(settings)),
        ("database", lambda: check_database(settings)),
    ]
    return [_guarded(name, check) for name, check in checks]


def _guarded(name: str, check: Callable[[], CheckResult]) -> CheckResult:
    """A check that crashed is a failed check, not a crashed doctor."""
    try:
        return check()
    except Exception as err:  # a library failing in a way no stage wraps yet: report it
        log.exception("check %s crashed", name)
        return CheckResult(
            name,
            False,
            f"the check itself failed: {type(err).__name__}: {err}",
            "run `voiceback --verbose doctor` and report the error",
            f"Something is wrong with my {name}.",
        )


def spoken_problems(results: list[CheckResult]) -> list[str]:
    """Short sentences to say aloud about what failed; empty when all is well."""
    sentences = [r.spoken or f"Something is wrong with my {r.name}." for r in results if not r.ok]
    return [*sentences, HELP_SENTENCE] if sentences else []


def format_results(results: list[CheckResult]) -> str:
    lines = [f"{'ok  ' if r.ok else 'FAIL'}  {r.name}: {r.message}" for r in results]
    fixes = [f"  - {r.name}: {r.fix}" for r in results if not r.ok and r.fix]
    if fixes:
        lines += ["", "To fix:", *fixes]
    else:
        lines += ["", "Everything works."]
    return "\n".join(lines)


def command(settings: Settings, args: argparse.Namespace) -> int:
    """`voiceback doctor [--json]`: exit 0 when every check passes, else 1."""
    results = run_checks(settings, find_config(args.config))
    if args.json:
        ok = all(r.ok for r in results)
        print(json.dumps({"ok": ok, "checks": [asdict(r) for r in results]}, indent=1))
    else:
        print(format_results(results))
    return 0 if all(r.ok for r in results) else 1
