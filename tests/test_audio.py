"""voiceback.audio on real audio: WAV files of every common format, synthesized speech in
noise through the endpointer, and the microphone path through a real PulseAudio device."""

from __future__ import annotations

import signal
import struct
import subprocess
import threading
import time
import wave
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest
from audio_synth import Recipe, Sample, make, make_noise, transient, write_wav
from pulse_fixtures import PulseServer, start_pulse, use_server

from voiceback.audio import (
    Endpointer,
    EndpointerConfig,
    EndpointEvent,
    EndReason,
    MicSource,
    SpeechEnded,
    SpeechStarted,
    WavSource,
    chime,
    list_devices,
    read_wav,
)
from voiceback.audio.convert import to_int16
from voiceback.types import SAMPLE_RATE_HZ, AudioChunk, AudioError

RATE = SAMPLE_RATE_HZ
Floats = npt.NDArray[np.float64]


def samples(pcm: bytes) -> Floats:
    return np.frombuffer(pcm, "<i2").astype(np.float64) / 32768.0


def dbfs(x: Floats) -> float:
    return float(10 * np.log10(np.mean(x**2) + 1e-20))


def peak_hz(x: Floats, rate: int = RATE) -> float:
    spectrum = np.abs(np.fft.rfft(x * np.hanning(len(x))))
    return float(np.fft.rfftfreq(len(x), 1 / rate)[np.argmax(spectrum)])


def sine(freq_hz: float, seconds: float, rate: int, amplitude: float = 0.5) -> Floats:
    return amplitude * np.sin(2 * np.pi * freq_hz * np.arange(round(seconds * rate)) / rate)


def write_pcm_wav(path: Path, frames: Floats, rate: int, width: int) -> Path:
    """Integer PCM through the stdlib `wave` writer (plain `fmt ` chunk, tag 1)."""
    frames = frames if frames.ndim == 2 else frames[:, None]
    if width == 1:
        data = np.clip(np.rint(frames * 128 + 128), 0, 255).astype(np.uint8).tobytes()
    else:
        full = 2 ** (8 * width - 1)
        ints = np.clip(np.rint(frames * full), -full, full - 1).astype("<i4")
        data = ints.view(np.uint8).reshape(-1, 4)[:, :width].tobytes()
    with wave.open(str(path), "wb") as w:
        w.setnchannels(frames.shape[1])
        w.setsampwidth(width)
        w.setframerate(rate)
        w.writeframes(data)
    return path


def sox(src: Path, dst: Path, *args: str) -> Path:
    """Convert with sox: what most tools write (WAVE_FORMAT_EXTENSIBLE beyond 16 bits)."""
    subprocess.run(["sox", str(src), *args, str(dst)], check=True, capture_output=True)
    return dst


def run_endpointer(
    pcm: bytes,
    config: EndpointerConfig | None = None,
    on_start: Callable[[Endpointer, SpeechStarted], None] | None = None,
    chunk_ms: int = 30,
) -> list[EndpointEvent]:
    """Feed PCM in microphone-sized chunks; the events found, end of audio included."""
    endpointer = Endpointer(config)
    events: list[EndpointEvent] = []
    step = RATE * chunk_ms // 1000 * 2
    for i in range(0, len(pcm), step):
        for event in endpointer.feed(AudioChunk(pcm[i : i + step], i / 2 / RATE)):
            events.append(event)
            if isinstance(event, SpeechStarted) and on_start is not None:
                on_start(endpointer, event)
    return events + endpointer.finish()


def ends(events: Iterable[EndpointEvent]) -> list[SpeechEnded]:
    return [e for e in events if isinstance(e, SpeechEnded)]


def starts(events: Iterable[EndpointEvent]) -> list[SpeechStarted]:
    return [e for e in events if isinstance(e, SpeechStarted)]


# --- WAV files ---------------------------------------------------------------------------


@pytest.mark.parametrize("rate", [8000, 16000, 22050, 44100, 48000])
@pytest.mark.parametrize("channels", [1, 2])
def test_wav_any_rate_becomes_16k_mono_with_pitch_and_level_kept(
    tmp_path: Path, rate: int, channels: int
) -> None:
    tone = sine(1000.0, 1.5, rate)
    frames = np.stack([tone] * channels, axis=1)
    source = WavSource(write_pcm_wav(tmp_path / "tone.wav", frames, rate, 2))
    chunks = list(source)
    out = samples(b"".join(c.pcm for c in chunks))
    assert abs(len(out) - 1.5 * RATE) <= 2
    assert all(len(c.pcm) == 960 for c in chunks[:-1])
    assert [c.start_s for c in chunks[:3]] == [0.0, 0.03, 0.06]
    middle = out[RATE // 4 : -RATE // 4]
    assert peak_hz(middle) == pytest.approx(1000.0, abs=2.0)
    assert dbfs(middle) == pytest.approx(dbfs(tone), abs=0.1)


@pytest.mark.parametrize("rate", [44100, 48000])
def test_wav_resampling_removes_what_16k_cannot_hold(tmp_path: Path, rate: int) -> None:
    """A 10 kHz tone must vanish, not fold back into the speech band (aliasing)."""
    path = write_pcm_wav(tmp_path / "high.wav", sine(10_000.0, 1.0, rate), rate, 2)
    out = samples(read_wav(path, noise_floor_dbfs=None))
    assert dbfs(out[1000:-1000]) < -80


def test_wav_left_and_right_are_mixed_to_mono(tmp_path: Path) -> None:
    left, right = sine(440.0, 1.0, RATE), sine(1300.0, 1.0, RATE)
    path = write_pcm_wav(tmp_path / "lr.wav", np.stack([left, right], axis=1), RATE, 2)
    out = samples(read_wav(path))
    np.testing.assert_allclose(out, (left + right) / 2, atol=2 / 32768)


def _speech_master(tmp_path: Path) -> tuple[Path, Floats]:
    """Real speech at 44.1 kHz stereo, 16-bit: the reference the other formats are cut from."""
    speech = make(Recipe(parts=("is it safe to take ibuprofen",), lead_s=0.2, tail_s=0.2))
    with_rate = sox(speech.path, tmp_path / "master.wav", "-r", "44100", "-c", "2")
    return with_rate, samples(read_wav(with_rate, noise_floor_dbfs=None))


@pytest.mark.parametrize(
    ("name", "sox_args"),
    [
        ("u8", ("-b", "8", "-e", "unsigned-integer")),
        ("s24", ("-b", "24", "-e", "signed-integer")),
        ("s32", ("-b", "32", "-e", "signed-integer")),
        ("f32", ("-b", "32", "-e", "floating-point")),
        ("f64", ("-b", "64", "-e", "floating-point")),
        ("s16-48k-mono", ("-b", "16", "-r", "48000", "-c", "1")),
    ],
)
def test_wav_sample_formats_written_by_sox(
    tmp_path: Path, name: str, sox_args: tuple[str, ...]
) -> None:
    master, reference = _speech_master(tmp_path)
    converted = sox(master, tmp_path / f"{name}.wav", *sox_args)
    out = samples(read_wav(converted, noise_floor_dbfs=None))
    n = min(len(out), len(reference))
    assert abs(len(out) - len(reference)) <= 2
    tolerance = 0.02 if name == "u8" else 0.002  # 8 bits: 48 dB of dynamic range
    assert np.max(np.abs(out[:n] - reference[:n])) < tolerance
    assert np.corrcoef(out[:n], reference[:n])[0, 1] > 0.999


@pytest.mark.parametrize("width", [1, 3, 4])
def test_wav_plain_pcm_widths_from_stdlib_wave(tmp_path: Path, width: int) -> None:
    tone = sine(700.0, 0.5, 22050, amplitude=0.3)
    out = samples(read_wav(write_pcm_wav(tmp_path / "w.wav", tone, 22050, width)))
    assert dbfs(out[800:-800]) == pytest.approx(dbfs(tone), abs=0.1)
    assert peak_hz(out) == pytest.approx(700.0, abs=3.0)


def _valid_wav(tmp_path: Path) -> bytes:
    return write_pcm_wav(tmp_path / "ok.wav", sine(440.0, 0.5, RATE), RATE, 2).read_bytes()


@pytest.mark.parametrize(
    ("make_bytes", "message"),
    [
        (lambda ok: b"", "empty"),
        (lambda ok: b"hello, this is a text file\n" * 10, "not a WAV"),
        (lambda ok: b"ID3\x04\x00" + bytes(300), "not a WAV"),
        (lambda ok: ok[: len(ok) // 2], "truncated"),
        (lambda ok: ok[:30], "truncated"),
        (lambda ok: ok[:44], "truncated WAV, the header promises 0.50 s"),
        (lambda ok: ok[:40] + bytes(4), "holds no audio"),
        (lambda ok: ok[:12] + ok[36:], "'data' comes before 'fmt '"),
    ],
    ids=["empty", "text", "mp3", "half", "cut-in-header", "no-samples", "zero-samples", "no-fmt"],
)
def test_wav_bad_files_raise_audio_error_naming_the_file(
    tmp_path: Path, make_bytes: Callable[[bytes], bytes], message: str
) -> None:
    bad = tmp_path / "bad-input.wav"
    bad.write_bytes(make_bytes(_valid_wav(tmp_path)))
    with pytest.raises(AudioError, match=message) as caught:
        read_wav(bad)
    assert "bad-input.wav" in str(caught.value)


def test_wav_unsupported_encoding_and_missing_file(tmp_path: Path) -> None:
    ok = tmp_path / "ok.wav"
    ok.write_bytes(_valid_wav(tmp_path))
    mulaw = sox(ok, tmp_path / "mulaw.wav", "-e", "mu-law")
    with pytest.raises(AudioError, match=r"mulaw\.wav: unsupported WAV encoding \(mu-law"):
        WavSource(mulaw)
    with pytest.raises(AudioError, match=r"nowhere\.wav: cannot open"):
        WavSource(tmp_path / "nowhere.wav")


def test_wav_streamed_header_with_unknown_length_reads_to_the_end(tmp_path: Path) -> None:
    """Writers that cannot seek back leave the data size as 0xFFFFFFFF."""
    ok = bytearray(_valid_wav(tmp_path))
    struct.pack_into("<I", ok, 40, 0xFFFFFFFF)
    path = tmp_path / "streamed.wav"
    path.write_bytes(bytes(ok))
    assert len(read_wav(path)) == 0.5 * RATE * 2


def test_wav_realtime_pacing_delivers_like_a_microphone(tmp_path: Path) -> None:
    path = write_pcm_wav(tmp_path / "t.wav", sine(300.0, 1.0, RATE), RATE, 2)
    t0 = time.monotonic()
    lateness = []
    for chunk in WavSource(path, realtime=True):
        lateness.append(time.monotonic() - t0 - (chunk.start_s + chunk.duration_s))
    assert min(lateness) >= -0.002  # never early
    assert float(np.median(lateness)) < 0.03  # and not held back (2 busy cores: some slack)
    assert 0.99 < time.monotonic() - t0 < 1.3


def test_wav_digital_silence_gets_a_faint_noise_floor(tmp_path: Path) -> None:
    speech = make(Recipe(parts=("yes",), engine="espeak", lead_s=0.5, tail_s=0.5))
    raw = samples(read_wav(speech.path, noise_floor_dbfs=None))
    filled = samples(read_wav(speech.path))
    silent = np.flatnonzero(raw == 0)
    assert len(silent) > RATE * 0.8  # espeak-ng leaves exact zeros
    assert dbfs(filled[silent]) == pytest.approx(-60.0, abs=1.0)
    spoken = raw != 0
    np.testing.assert_array_equal(filled[spoken], raw[spoken])
    edges = np.flatnonzero(np.diff(np.concatenate(([0], filled == 0, [0])).astype(np.int8)))
    assert max(edges[1::2] - edges[0::2], default=0) < 16  # no run of zeros left (1 ms)


# --- the listening chime ------------------------------------------------------------------


def test_chime_is_short_soft_and_click_free() -> None:
    x = samples(chime())
    assert 0.3 < len(x) / RATE < 0.6
    assert 20 * np.log10(np.max(np.abs(x))) == pytest.approx(-16.0, abs=0.2)
    assert abs(x[0]) < 0.01 and abs(x[-1]) < 0.001
    assert peak_hz(x[: RATE // 10]) == pytest.approx(659.25, abs=15)
    assert peak_hz(x[-RATE // 5 :]) == pytest.approx(987.77, abs=15)
    assert len(samples(chime(rate_hz=48_000))) == pytest.approx(len(x) * 3, abs=3)


# --- endpointing on synthesized speech ------------------------------------------------------

VOICES = [("piper", "en-us"), ("espeak", "en-us"), ("espeak", "en-gb-scotland")]
NOISES = ["white", "pink", "babble", "hum"]
REQUESTS = [
    "my lower back has gone into spasm and I can hardly move",
    "should I put ice on it or heat",
    "start the breathing exercise",
    "is it safe to take ibuprofen",
    "set a timer for twenty minutes",
    "how long will this last",
]
START_TOLERANCE_S = (-0.25, 0.15)
"""Detected start minus true start. Early: a noise burst just before; late: a soft onset."""
END_TOLERANCE_S = (-0.35, 0.25)
"""Detected end minus true end: a soft last consonant sinks under noise."""


def request(engine: str, voice: str, noise: str | None, snr_db: float, seed: int) -> Sample:
    text = REQUESTS[seed % len(REQUESTS)]
    return make(
        Recipe(
            parts=(text,),
            engine=engine,
            voice=voice,
            noise=noise,
            snr_db=snr_db,
            seed=seed,
            lead_s=1.5,  # the endpointer has heard the room for a while when someone speaks
            tail_s=2.0,
        )
    )


def assert_found(sample: Sample, events: list[EndpointEvent]) -> SpeechEnded:
    found = ends(events)
    spans = [(round(e.start_s, 2), round(e.end_s, 2)) for e in found]
    truth = (sample.speech_start_s, sample.speech_end_s)
    assert len(found) == 1 and len(starts(events)) == 1, f"found {spans}, truth {truth}"
    start_error, end_error = found[0].start_s - truth[0], found[0].end_s - truth[1]
    assert START_TOLERANCE_S[0] <= start_error <= START_TOLERANCE_S[1], f"{spans} vs {truth}"
    assert END_TOLERANCE_S[0] <= end_error <= END_TOLERANCE_S[1], f"{spans} vs {truth}"
    assert found[0].reason == EndReason.SILENCE
    return found[0]


@pytest.mark.parametrize(("engine", "voice"), VOICES)
def test_endpoint_clean_speech(engine: str, voice: str) -> None:
    sample = request(engine, voice, None, 0.0, seed=0)
    assert_found(sample, run_endpointer(read_wav(sample.path)))


@pytest.mark.parametrize("snr_db", [20.0, 10.0, 5.0])
@pytest.mark.parametrize("noise", NOISES)
@pytest.mark.parametrize(("engine", "voice"), VOICES)
def test_endpoint_speech_in_noise(engine: str, voice: str, noise: str, snr_db: float) -> None:
    seed = VOICES.index((engine, voice)) + 3 * NOISES.index(noise) + int(snr_db)
    sample = request(engine, voice, noise, snr_db, seed)
    assert_found(sample, run_endpointer(read_wav(sample.path)))


def _room(noise: str, seconds: float, seed: int, level_dbfs: float = -45.0) -> Floats:
    rng = np.random.default_rng(seed)
    noise_samples = make_noise(noise, round(seconds * RATE), RATE, rng)
    return noise_samples.astype(np.float64) * 10 ** (level_dbfs / 20)


@pytest.mark.parametrize("noise", NOISES)
def test_endpoint_ignores_clicks_and_short_coughs(noise: str) -> None:
    rng = np.random.default_rng(7)
    room = _room(noise, 14.0, seed=3)
    for k in range(12):
        kind, ms = [("click", 3), ("cough", 120), ("cough", 150)][k % 3]
        burst = transient(kind, RATE, rng, ms=ms) * 10 ** (-8 / 20)  # as loud as speech peaks
        at = round((1.5 + k) * RATE)
        room[at : at + len(burst)] += burst
    assert starts(run_endpointer(to_int16(room).tobytes())) == []


@pytest.mark.parametrize("noise", NOISES)
def test_endpoint_hears_a_short_yes_where_it_ignores_coughs(noise: str) -> None:
    """The positive control for the test above: a word as short as a cough is heard."""
    yes = make(Recipe(parts=("yes",), engine="espeak", lead_s=1.5, tail_s=2.0))
    x = yes.samples() + _room(noise, yes.duration_s, seed=3)[: len(yes.samples())]
    found = ends(run_endpointer(to_int16(x).tobytes()))
    assert len(found) == 1
    assert found[0].start_s == pytest.approx(yes.speech_start_s, abs=0.1)


SLOW_PARTS = ("my back", "it really hurts", "when I try to get up", "what should I do")


@pytest.mark.parametrize(
    ("engine", "voice", "noise", "snr_db", "breath"),
    [
        ("piper", "en-us", None, 0.0, False),
        ("piper", "en-us", "pink", 10.0, True),
        ("piper", "en-us", "babble", 10.0, True),
        ("espeak", "en-us+whisper", "white", 10.0, True),  # breathy: a whispering voice
        ("espeak", "en-gb-scotland", "hum", 5.0, True),
    ],
)
def test_endpoint_waits_for_a_slow_speaker_who_pauses(
    engine: str, voice: str, noise: str | None, snr_db: float, breath: bool
) -> None:
    """Slow speech (0.7x) with 1 s pauses (and breaths) between phrases: one utterance.

    With the short hangover meant for a complete request it would be cut at a pause,
    which shows the test can fail. (In a silent room an audible breath counts as sound,
    so the clean case pauses in digital silence.)"""
    slow = make(
        Recipe(
            parts=SLOW_PARTS,
            engine=engine,
            voice=voice,
            speed=0.7,
            pause_s=1.0,
            breath=breath,
            noise=noise,
            snr_db=snr_db,
            lead_s=1.5,
            tail_s=2.5,
        )
    )
    pcm = read_wav(slow.path)
    utterance = assert_found(slow, run_endpointer(pcm))
    assert utterance.end_s - utterance.start_s > 6.0
    hurried = ends(run_endpointer(pcm, on_start=lambda e, _: e.set_hangover(0.5)))
    assert len(hurried) >= 2


def test_endpoint_set_hangover_answers_a_complete_request_sooner() -> None:
    """The caller shortens the wait once the words heard make a complete request; the
    shorter wait applies to that utterance only."""
    sample = request("piper", "en-us", "pink", 10.0, seed=4)
    pcm = read_wav(sample.path) * 2  # the same request twice in a row
    decided: list[float] = []
    shortened = [False]

    def shorten_first(endpointer: Endpointer, _: SpeechStarted) -> None:
        if not shortened[0]:
            endpointer.set_hangover(0.5)
            shortened[0] = True

    endpointer = Endpointer()
    step = 960
    for i in range(0, len(pcm), step):
        for event in endpointer.feed(pcm[i : i + step]):
            if isinstance(event, SpeechStarted):
                shorten_first(endpointer, event)
            else:
                decided.append(endpointer.time_s - event.end_s)
    assert len(decided) == 2
    assert decided[0] == pytest.approx(0.5 + 0.04, abs=0.05)  # + the smoother's lag
    assert decided[1] == pytest.approx(1.4 + 0.04, abs=0.05)


def test_endpoint_caps_the_utterance_length() -> None:
    long_talk = make(
        Recipe(parts=(REQUESTS[0] + " " + REQUESTS[1] + " " + REQUESTS[3],), lead_s=1.0)
    )
    events = run_endpointer(read_wav(long_talk.path), EndpointerConfig(max_utterance_s=3.0))
    first = ends(events)[0]
    assert first.reason == EndReason.MAX_LENGTH
    assert first.end_s - first.start_s == pytest.approx(3.0, abs=0.03)
    assert len(first.pcm) / 2 / RATE == pytest.approx(3.0 + 0.3, abs=0.03)


def test_endpoint_keeps_a_preroll_and_the_whole_utterance() -> None:
    sample = request("espeak", "en-us", "white", 20.0, seed=5)
    pcm = read_wav(sample.path)
    endpointer = Endpointer()
    events: list[tuple[float, EndpointEvent]] = []
    for i in range(0, len(pcm), 640):  # one 20 ms frame at a time: time_s is the event's
        events += [(endpointer.time_s, e) for e in endpointer.feed(pcm[i : i + 640])]
    (t_start, started), (t_end, ended) = events
    assert isinstance(started, SpeechStarted) and isinstance(ended, SpeechEnded)
    assert started.audio_start_s == pytest.approx(started.start_s - 0.3, abs=1e-6)
    assert t_start - started.start_s == pytest.approx(0.18, abs=0.2)  # decided soon after
    assert len(started.pcm) / 2 / RATE == pytest.approx(t_start - started.audio_start_s)
    assert ended.audio_start_s == started.audio_start_s
    assert len(ended.pcm) / 2 / RATE == pytest.approx(t_end - ended.audio_start_s)
    first_sample = round(ended.audio_start_s * RATE) * 2
    assert ended.pcm == pcm[first_sample : first_sample + len(ended.pcm)]


def test_endpoint_result_does_not_depend_on_block_size() -> None:
    sample = request("piper", "en-us", "babble", 10.0, seed=2)
    pcm = read_wav(sample.path)
    reference = [(type(e), e.start_s) for e in run_endpointer(pcm, chunk_ms=30)]
    for chunk_ms in (7, 20, 100, 1000):
        assert [(type(e), e.start_s) for e in run_endpointer(pcm, chunk_ms=chunk_ms)] == reference


@pytest.mark.parametrize("noise", ["pink", "hum", "white"])
def test_endpoint_adapts_when_a_fan_switches_on(noise: str) -> None:
    """Quiet room, then steady noise 20 dB louder that never stops, then a request.

    The switch-on may open one false utterance, which must end within the noise-step
    time (not the 15 s maximum); the request after it is then found normally."""
    speech = request("piper", "en-us", None, 0.0, seed=1).samples()
    quiet, fan = (
        _room(noise, 2.0, seed=1, level_dbfs=-60),
        _room(noise, 14.0, seed=2, level_dbfs=-40),
    )
    x = np.concatenate([quiet, fan])
    at = round(10.0 * RATE)
    x[at : at + len(speech)] += speech[: len(x) - at]
    found = ends(run_endpointer(to_int16(x).tobytes()))
    assert len(found) in (1, 2)
    if len(found) == 2:
        assert found[0].start_s == pytest.approx(2.0, abs=0.1)
        assert found[0].end_s < 2.0 + 4.0 + 0.5
    truth_start = 10.0 + 1.5  # the request's own lead is 1.5 s
    assert found[-1].start_s == pytest.approx(truth_start, abs=0.15)
    assert found[-1].reason == EndReason.SILENCE


# --- the microphone, through a real PulseAudio device --------------------------------------

MIC = "pulse"
"""sounddevice's ALSA device for PulseAudio: it records the default source, room.monitor."""


def record_playback(
    pulse: PulseServer, wav: Path, seconds: float, background: Path | None = None
) -> tuple[list[AudioChunk], float]:
    """Record `seconds` from the mic while `wav` plays into the room sink (after 2 s of
    `background`, which goes on playing, if given).

    Returns the chunks and the mic-clock time at which `wav` began to be played."""
    with MicSource(MIC) as mic:
        chunks = [mic.read()]  # audio flows (PulseAudio through ALSA takes ~2 s to start)
        players = [pulse.play(background)] if background else []
        while len(chunks) < (70 if background else 10):
            chunks.append(mic.read())
        played_at = chunks[-1].start_s + chunks[-1].duration_s
        players.append(pulse.play(wav))
        while chunks[-1].start_s < played_at + seconds:
            chunks.append(mic.read())
        for player in players:
            assert player.wait(timeout=20) == 0, player.stderr.read() if player.stderr else ""
        assert mic.rate_hz == RATE and mic.dropped_blocks == 0
    return chunks, played_at


def test_mic_records_speech_played_into_the_room(pulse: PulseServer) -> None:
    sample = make(Recipe(parts=(REQUESTS[1],), lead_s=1.0, tail_s=1.0))
    chunks, played_at = record_playback(pulse, sample.path, sample.duration_s + 1.5)
    assert [c.start_s for c in chunks] == pytest.approx([i * 0.03 for i in range(len(chunks))])
    pcm = b"".join(c.pcm for c in chunks)
    recorded, source = samples(pcm), samples(read_wav(sample.path, noise_floor_dbfs=None))

    # what came back is what was played: same waveform, same level, after some latency
    lag = int(np.argmax(np.correlate(recorded, source[RATE : 2 * RATE], "valid"))) - RATE
    latency_s = lag / RATE - played_at
    assert 0.0 < latency_s < 1.0
    back = recorded[lag : lag + len(source)]
    assert np.corrcoef(back, source[: len(back)])[0, 1] > 0.99
    assert dbfs(back) == pytest.approx(dbfs(source), abs=0.5)
    assert dbfs(recorded[: round(played_at * RATE)]) < -55  # the room before: near silence

    utterance = assert_found_at(sample, run_endpointer(pcm), offset_s=played_at + latency_s)
    assert utterance.reason == EndReason.SILENCE


def assert_found_at(sample: Sample, events: list[EndpointEvent], offset_s: float) -> SpeechEnded:
    found = ends(events)
    assert len(found) == 1
    assert found[0].start_s - offset_s == pytest.approx(sample.speech_start_s, abs=0.1)
    assert found[0].end_s - offset_s == pytest.approx(sample.speech_end_s, abs=0.15)
    return found[0]


def test_mic_noisy_room_endpointed_live(pulse: PulseServer, tmp_path: Path) -> None:
    """A request in a room full of babble (10 dB under the speech), both playing at once."""
    sample = request("piper", "en-us", None, 0.0, seed=3)
    babble = tmp_path / "babble.wav"
    write_wav(babble, _room("babble", 3.0 + sample.duration_s, seed=4, level_dbfs=-32.0), RATE)
    chunks, played_at = record_playback(pulse, sample.path, sample.duration_s, babble)
    # listening began once the babble filled the room (its onset would be a noise step)
    listened = [c for c in chunks if c.start_s >= played_at - 1.0]
    found = ends(run_endpointer(b"".join(c.pcm for c in listened)))
    assert len(found) == 1
    duration = found[0].end_s - found[0].start_s
    assert duration == pytest.approx(sample.speech_end_s - sample.speech_start_s, abs=0.3)
    start_s = listened[0].start_s + found[0].start_s
    assert 0 < start_s - played_at - sample.speech_start_s < 1.0


def test_mic_unknown_device_is_a_clear_audio_error(pulse: PulseServer) -> None:
    with pytest.raises(AudioError, match=r"no input device matches 'no-such-microphone'.*'pulse'"):
        MicSource("no-such-microphone").open()
    with pytest.raises(AudioError, match=r"no audio device #99; inputs are: .*'pulse'"):
        MicSource(99).open()
    assert any(d.name == MIC and d.inputs > 0 for d in list_devices())


def test_mic_sound_server_killed_mid_recording(
    pulse: PulseServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Documented behaviour: when the server dies, PortAudio ends the stream (ALSA poll
    error), read() raises AudioError at once (well within the 2 s stall timeout, never
    a hang); reopen() after the server is back records again."""
    private = start_pulse(tmp_path / "private")
    try:
        monkeypatch.setenv("PULSE_SERVER", private.address)
        mic = MicSource(MIC)
        mic.open()
        for _ in range(10):
            mic.read()
        private.kill()
        killed_at = time.monotonic()
        with pytest.raises(AudioError, match="stopped delivering audio"):
            for _ in range(1000):
                mic.read()
        assert time.monotonic() - killed_at < 2.0
        private = start_pulse(tmp_path / "private")
        mic.reopen()
        assert len(mic.read().pcm) == 960
        mic.close()
    finally:
        private.stop()
        monkeypatch.setenv("PULSE_SERVER", pulse.address)
        use_server(pulse)


def test_mic_iteration_ends_when_closed_from_another_thread(pulse: PulseServer) -> None:
    mic = MicSource(MIC)
    mic.open()
    chunks: list[AudioChunk] = []
    reader = threading.Thread(target=lambda: chunks.extend(mic))
    reader.start()
    deadline = time.monotonic() + 8
    while len(chunks) < 20 and time.monotonic() < deadline:
        time.sleep(0.05)
    mic.close()
    reader.join(timeout=2)
    assert not reader.is_alive()
    assert len(chunks) >= 20


def test_mic_frozen_sound_server_is_a_stall_not_a_hang(
    pulse: PulseServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Documented behaviour: a server that stops answering (SIGSTOP) sends no audio and
    no error; read() raises AudioError("stalled") after stall_timeout_s, close() gives
    up after ~2 s, reopen() fails after start_timeout_s (+2 s waiting for the old
    stream) instead of hanging, and works once the server is back."""
    private = start_pulse(tmp_path / "frozen")
    try:
        monkeypatch.setenv("PULSE_SERVER", private.address)
        mic = MicSource(MIC, stall_timeout_s=1.0, start_timeout_s=3.0)
        mic.open()
        for _ in range(10):
            mic.read()
        private.process.send_signal(signal.SIGSTOP)
        frozen_at = time.monotonic()
        with pytest.raises(AudioError, match="stalled: no audio for 1"):
            for _ in range(1000):
                mic.read()
        assert time.monotonic() - frozen_at < 1.6
        mic.close()
        assert time.monotonic() - frozen_at < 4.0
        with pytest.raises(AudioError, match="did not open within 3 s"):
            mic.reopen()
        assert time.monotonic() - frozen_at < 10.0
        private.process.send_signal(signal.SIGCONT)
        mic.reopen()
        assert len(mic.read().pcm) == 960
        mic.close()
    finally:
        private.process.send_signal(signal.SIGCONT)
        private.stop()
        monkeypatch.setenv("PULSE_SERVER", pulse.address)
        use_server(pulse)
