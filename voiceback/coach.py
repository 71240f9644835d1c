"""`voiceback coach breathing`: a breathing session spoken live, or rendered to a WAV.

Every cue is placed at its planned time on the session clock: rendered, its audio is
written into the WAV at `at_s`; live, it waits until `at_s` and plays it. Speech length
never moves a cue. Each cue's audio is trimmed of the synthesizer's leading and trailing
silence, so the speech starts on time, and made to fit before the next cue (with
`GAP_S` to spare): if it is too long it is synthesized again faster (up to
`MAX_SPEEDUP`), and only as a last resort cut with a short fade; both are recorded in
the timeline (`sped_up`, `cut`) and reported.

The rendered WAV is then checked on its own audio: an energy-based onset detector finds
where speech starts, and each cue's measured onset goes into the timeline JSON beside
the WAV, with the largest and mean error of the inhale/exhale phase starts.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from voiceback.breathing import BreathingPlan, BreathingSession, Cue, load_plan
from voiceback.config import Settings
from voiceback.tts import Player, Speech, Synthesizer, write_wav
from voiceback.types import InputError, SpeechError

Float = npt.NDArray[np.float32]

LEAD_S = 0.5
"""Silence before the first cue of a rendered session (its clock starts at 0)."""
TAIL_S = 1.0
GAP_S = 0.15
"""Least silence kept between the end of one cue's speech and the next cue."""
MAX_SPEEDUP = 1.6
"""A cue too long for its slot is re-synthesized at up to this many times the rate."""
TRIM_DB = 45.0
"""Speech is trimmed to the frames within this many dB of its loudest frame."""
PHASES = ("inhale", "exhale")


@dataclass(frozen=True, slots=True)
class Placed:
    """A cue with the audio that will be said at its time."""

    cue: Cue
    audio: Float
    """Mono float32 at the session rate, trimmed to its speech."""
    sped_up: float
    """1.0, or the rate factor it took to fit the slot."""
    cut: bool
    """True when even the fastest rate did not fit and the end was faded out."""


def command(settings: Settings, args: argparse.Namespace) -> int:
    minutes = args.minutes
    if minutes is not None and not 0.5 <= minutes <= 30.0:
        raise InputError(f"--minutes must be 0.5..30, got {minutes:g}")
    plan = load_plan(
        settings.intents_dir,
        inhale_s=settings.coach_inhale_s,
        exhale_s=settings.coach_exhale_s,
        minutes=settings.coach_minutes if minutes is None else minutes,
    )
    from voiceback.assistant import VoiceSettings
    from voiceback.commands import _synth

    synth = _synth(settings, VoiceSettings(settings.rate_wpm, settings.volume))
    if args.out is not None:
        report = render_session(plan, synth, settings.rate_wpm, settings.volume, args.out)
        errors = report["phase_onset_error_ms"]
        print(
            f"wrote {args.out} ({report['duration_s']:.1f} s, {len(report['cues'])} cues) and "
            f"{args.out.with_suffix('.json').name}; phase starts vs plan: "
            f"max {errors['max']:.0f} ms, mean {errors['mean']:.0f} ms"
            + (f"; {report['cut']} cue(s) cut to fit" if report["cut"] else "")
        )
        return 0
    device = settings.output_device
    player = Player(int(device) if device.isdigit() else device or None)
    speak_live(plan, synth, settings.rate_wpm, settings.volume, player if settings.speak else None)
    return 0


# --- fitting each cue into its slot -------------------------------------------------------


class CueAudio:
    """Synthesizes cues trimmed and fitted to their slots; caches by text and rate.
    `synth` must already be configured at rate_wpm and volume."""

    def __init__(self, synth: Synthesizer, rate_wpm: int, volume: float) -> None:
        self.synth = synth
        self.rate_wpm = rate_wpm
        self.volume = volume
        self.rate_hz = 0
        self._cache: dict[tuple[str, int], Float] = {}

    def speech(self, text: str, rate_wpm: int) -> Float:
        """The text's trimmed audio at rate_wpm (the synthesizer is left at the base rate)."""
        key = (text, rate_wpm)
        if key in self._cache:
            return self._cache[key]
        if rate_wpm == self.rate_wpm:
            self._cache[key] = self._synthesize(text)
            return self._cache[key]
        self.synth.configure(rate_wpm=rate_wpm, volume=self.volume)
        try:
            self._cache[key] = self._synthesize(text)
        finally:
            self.synth.configure(rate_wpm=self.rate_wpm, volume=self.volume)
        return self._cache[key]

    def _synthesize(self, text: str) -> Float:
        for _attempt in range(3):
            # pyttsx3's espeak driver can end its loop before the WAV is written (seen on
            # the first synthesis after start, about 1 in 5): no file, or a torn one.
            try:
                speech = self.synth.synthesize(text)
            except (SpeechError, EOFError):
                time.sleep(0.05)
                continue
            if speech.pcm:
                return trim(to_float(speech, self._rate(speech.rate_hz)), self.rate_hz)
        raise SpeechError(f"no audio could be synthesized for the cue {text!r}")

    def _rate(self, rate_hz: int) -> int:
        self.rate_hz = self.rate_hz or rate_hz
        return self.rate_hz

    def fit(self, cue: Cue, slot_s: float | None) -> Placed:
        """The cue's audio, sped up or (last resort) cut so it ends within slot_s."""
        audio = self.speech(cue.text, self.rate_wpm)
        factor = 1.0
        while slot_s is not None and len(audio) > slot_s * self.rate_hz:
            if factor >= MAX_SPEEDUP:
                keep = max(0, int(slot_s * self.rate_hz))
                return Placed(cue, fade_out(audio[:keep], self.rate_hz), factor, True)
            factor = min(MAX_SPEEDUP, factor + 0.15)
            audio = self.speech(cue.text, min(400, round(self.rate_wpm * factor)))
        return Placed(cue, audio, factor, False)


def slots(cues: list[Cue]) -> list[float | None]:
    """How long each cue may speak: up to GAP_S before the next cue (the last: no limit)."""
    out: list[float | None] = [nxt.at_s - cue.at_s - GAP_S for cue, nxt in itertools.pairwise(cues)]
    return [*out, None]


def place(fitter: CueAudio, cues: list[Cue]) -> list[Placed]:
    """Every cue's audio, fitted to end GAP_S before the next cue."""
    return [fitter.fit(cue, slot) for cue, slot in zip(cues, slots(cues), strict=True)]


def mix(
    placed: list[Placed], rate_hz: int, from_s: float | None = None, until_s: float | None = None
) -> Float:
    """The cues' audio, each written at its at_s; time from_s (default: the first cue)
    is the start, and it runs to until_s or TAIL_S after the last speech."""
    origin = placed[0].cue.at_s if from_s is None else from_s
    end_s = max(p.cue.at_s + len(p.audio) / rate_hz for p in placed) + TAIL_S
    out = np.zeros(round(((end_s if until_s is None else until_s) - origin) * rate_hz), np.float32)
    for p in placed:
        start = round((p.cue.at_s - origin) * rate_hz)
        out[start : start + len(p.audio)] += p.audio[: max(0, len(out) - start)]
    return out


def to_speech(audio: Float, rate_hz: int) -> Speech:
    return Speech(np.clip(np.rint(audio * 32767.0), -32768, 32767).astype("<i2").tobytes(), rate_hz)


def to_float(speech: Speech, rate_hz: int) -> Float:
    audio = np.frombuffer(speech.pcm, dtype="<i2").astype(np.float32) / 32768.0
    if speech.rate_hz != rate_hz:
        import soxr

        audio = soxr.resample(audio, speech.rate_hz, rate_hz).astype(np.float32)
    return audio


def trim(audio: Float, rate_hz: int, frame_s: float = 0.005) -> Float:
    """Cut leading and trailing silence: keep the frames within TRIM_DB of the loudest."""
    n = max(1, round(frame_s * rate_hz))
    frames = audio[: len(audio) // n * n].reshape(-1, n).astype(np.float64)
    if not len(frames):
        return audio
    level = 10 * np.log10(np.mean(frames**2, axis=1) + 1e-20)
    active = np.flatnonzero(level > level.max() - TRIM_DB)
    return audio[active[0] * n : (active[-1] + 1) * n]


def fade_out(audio: Float, rate_hz: int, fade_s: float = 0.03) -> Float:
    n = min(len(audio), round(fade_s * rate_hz))
    out = audio.copy()
    out[len(out) - n :] *= np.linspace(1.0, 0.0, n, dtype=np.float32)
    return out


# --- rendering --------------------------------------------------------------------------


def render_session(
    plan: BreathingPlan, synth: Synthesizer, rate_wpm: int, volume: float, out: Path
) -> dict[str, Any]:
    """Render the whole session to `out` (WAV) and `out`.json (timeline); the report."""
    started = time.perf_counter()
    fitter = CueAudio(synth, rate_wpm, volume)
    placed = place(fitter, BreathingSession(plan, LEAD_S).timeline())
    rate = fitter.rate_hz
    audio = mix(placed, rate, from_s=0.0)
    write_wav(out, to_speech(audio, rate))
    render_s = time.perf_counter() - started
    onsets = match_onsets([p.cue for p in placed], detect_onsets(audio, rate))
    report = timeline_report(placed, onsets, plan, rate, out, render_s)
    _write_json(out.with_suffix(".json"), report)
    return report


def timeline_report(
    placed: list[Placed],
    onsets: list[float | None],
    plan: BreathingPlan,
    rate_hz: int,
    out: Path,
    render_s: float,
) -> dict[str, Any]:
    cues: list[dict[str, Any]] = [
        {
            "at_s": round(p.cue.at_s, 4),
            "phase": p.cue.phase,
            "text": p.cue.text,
            "duration_s": p.cue.duration_s,
            "speech_s": round(len(p.audio) / rate_hz, 4),
            "onset_s": None if onset is None else round(onset, 4),
            "sped_up": round(p.sped_up, 2),
            "cut": p.cut,
        }
        for p, onset in zip(placed, onsets, strict=True)
    ]
    errors = phase_errors_ms(cues)
    return {
        "wav": out.name,
        "rate_hz": rate_hz,
        "duration_s": round(max(c["at_s"] + c["speech_s"] for c in cues) + TAIL_S, 3),
        "plan": {"inhale_s": plan.inhale_s, "exhale_s": plan.exhale_s, "minutes": plan.minutes},
        "render_s": round(render_s, 3),
        "phase_onset_error_ms": errors,
        "cut": sum(p.cut for p in placed),
        "cues": cues,
    }


def phase_errors_ms(cues: list[dict[str, Any]]) -> dict[str, float]:
    """|measured onset - plan| over the inhale/exhale cues; a missing onset counts as inf."""
    errors = [
        abs(c["onset_s"] - c["at_s"]) * 1000 if c["onset_s"] is not None else float("inf")
        for c in cues
        if c["phase"] in PHASES
    ]
    return {"phases": len(errors), "max": max(errors), "mean": sum(errors) / len(errors)}


def _write_json(path: Path, data: dict[str, Any]) -> None:
    with tempfile.NamedTemporaryFile("w", dir=path.parent, suffix=".part", delete=False) as f:
        json.dump(data, f, indent=1)
    os.replace(f.name, path)


# --- onsets measured on the audio ---------------------------------------------------------


def detect_onsets(
    audio: Float,
    rate_hz: int,
    *,
    below_peak_db: float = 35.0,
    min_silence_s: float = 0.12,
    frame_s: float = 0.01,
    hop_s: float = 0.0025,
) -> list[float]:
    """Where sound starts after at least min_silence_s of quiet: 10 ms frames every
    2.5 ms, energy within below_peak_db of the loudest frame; the onset is the first
    sample of that frame over the threshold's amplitude. Seconds from the start."""
    frame, hop = round(frame_s * rate_hz), round(hop_s * rate_hz)
    if len(audio) < frame:
        return []
    windows = np.lib.stride_tricks.sliding_window_view(audio, frame)[::hop]
    energy = np.mean(windows.astype(np.float64) ** 2, axis=1)
    threshold = energy.max() * 10 ** (-below_peak_db / 10)
    active = np.flatnonzero(energy > threshold)
    if not len(active):
        return []
    gap_frames = min_silence_s / hop_s
    starts = active[np.concatenate(([True], np.diff(active) > gap_frames))]
    amplitude = float(np.sqrt(threshold))
    onsets = []
    for i in starts:
        window = np.abs(audio[i * hop : i * hop + frame])
        loud = np.flatnonzero(window >= amplitude)
        onsets.append((i * hop + (loud[0] if len(loud) else 0)) / rate_hz)
    return onsets


def match_onsets(
    cues: list[Cue], onsets: list[float], early_s: float = GAP_S, late_s: float = 0.5
) -> list[float | None]:
    """Each cue's measured onset: the first one from early_s before to late_s after its
    planned time (before the next cue), or None when the audio has none there."""
    found: list[float | None] = []
    limits = [*(c.at_s for c in cues[1:]), float("inf")]
    for cue, limit in zip(cues, limits, strict=True):
        hits = [t for t in onsets if cue.at_s - early_s <= t < min(cue.at_s + late_s, limit)]
        found.append(hits[0] if hits else None)
    return found


# --- live -------------------------------------------------------------------------------


def speak_live(
    plan: BreathingPlan,
    synth: Synthesizer,
    rate_wpm: int,
    volume: float,
    player: Player | None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """Speak the session on `player`; with no player, print each cue's text at its time.

    Each Player.play opens and drains an output stream, which costs about 1.5 s on a
    PulseAudio device here: one play per cue would make every count late. So the intro
    is played at once, while the rest of the session is mixed in the background, then
    played as one stream, in which every cue starts exactly on plan.
    """
    cues = BreathingSession(plan, 0.0).timeline()
    if player is None:
        start = clock() + LEAD_S
        for cue in cues:
            wait = start + cue.at_s - clock()
            if wait > 0:
                sleep(wait)
            print(cue.text, flush=True)
        return
    fitter = CueAudio(synth, rate_wpm, volume)
    first = next(i for i, cue in enumerate(cues) if cue.phase != "intro")
    intro = [fitter.fit(cue, None) for cue in cues[:first]]
    pool = ThreadPoolExecutor(max_workers=1)
    try:
        rest = pool.submit(lambda: mix(place(fitter, cues[first:]), fitter.rate_hz))
        if intro:
            intro_audio = mix(intro, fitter.rate_hz, until_s=cues[first].at_s)
            player.play(to_speech(intro_audio, fitter.rate_hz))
        player.play(to_speech(rest.result(), fitter.rate_hz))
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
