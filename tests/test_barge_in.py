"""Barge-in on real audio: voiceback's own espeak-ng voice, with a Piper-voiced person
talking over it, through a resampler and a delay as a sound card would; the real
pocketsphinx recognizer and the real intent model decide.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soxr
from audio_synth import speech

from voiceback.audio.convert import to_int16
from voiceback.audio.echo import remove_echo
from voiceback.audio.endpoint import Endpointer, SpeechStarted
from voiceback.barge_in import BargeIn
from voiceback.stt import make_recognizer
from voiceback.tts import Speech

REPLY = "Staying active in a limited way helps more than staying in bed."
RATE = 16_000


@pytest.fixture(scope="module")
def recognizer(model_dir: Path):  # type: ignore[no-untyped-def]
    return make_recognizer("pocketsphinx", model_dir.parent)


@pytest.fixture(scope="module")
def played() -> Speech:
    """The reply as voiceback played it: espeak-ng at its own 22.05 kHz."""
    own = speech(REPLY, engine="espeak", lead_s=0.0, tail_s=0.0).samples()
    at_22k = soxr.resample(own, RATE, 22_050)
    return Speech(to_int16(at_22k).tobytes(), 22_050)


def heard_in_room(played: Speech, person: str | None, delay_s: float = 0.12) -> np.ndarray:
    """What the microphone records: the played reply, delayed and quieter, plus the person."""
    ref = np.frombuffer(played.pcm, "<i2").astype(np.float32) / 32768
    echo = 0.6 * soxr.resample(ref, played.rate_hz, RATE)
    mic = np.zeros(int(delay_s * RATE) + len(echo) + RATE // 2, np.float32)
    mic[int(delay_s * RATE) : int(delay_s * RATE) + len(echo)] += echo
    if person is not None:
        voice = speech(person).samples()
        at = RATE  # one second into the reply
        mic[at : at + len(voice)] += voice[: len(mic) - at]
    mic += np.random.default_rng(1).normal(0, 10 ** (-60 / 20), len(mic)).astype(np.float32)
    return mic


class Recorded:
    """A recording standing in for the microphone's queue: real audio, handed over once."""

    def __init__(self, audio: np.ndarray) -> None:
        self.audio = audio

    def drain(self) -> bytes:
        pcm, self.audio = to_int16(self.audio).tobytes(), self.audio[:0]
        return pcm

    def flush(self) -> None:
        self.audio = self.audio[:0]


def test_remove_echo_takes_out_the_played_voice_and_leaves_the_person(played: Speech) -> None:
    ref = soxr.resample(np.frombuffer(played.pcm, "<i2") / 32768, 22_050, RATE)
    alone = remove_echo(heard_in_room(played, None), ref.astype(np.float32))
    assert alone.removed_db > 25
    assert alone.delay_s == pytest.approx(0.12, abs=0.005)
    assert not starts(alone.residual)

    mixed = heard_in_room(played, "stop")
    person = speech("stop").samples()
    left = remove_echo(mixed, ref.astype(np.float32)).residual[RATE : RATE + len(person)]
    error = left - person
    assert 10 * np.log10(np.mean(error**2) / np.mean(person**2)) < -15
    assert starts(remove_echo(mixed, ref.astype(np.float32)).residual) == 1


def starts(audio: np.ndarray) -> int:
    """Utterances the request endpointer finds in `audio`."""
    endpointer = Endpointer()
    events = [*endpointer.feed(to_int16(audio).tobytes()), *endpointer.finish()]
    return sum(isinstance(e, SpeechStarted) for e in events)


def check(recognizer, nlu, played: Speech, person: str | None):  # type: ignore[no-untyped-def]
    barge_in = BargeIn(Recorded(heard_in_room(played, person)), recognizer, nlu.understand)
    barge_in.sleep = lambda _s: None
    return barge_in.check(played)


def test_its_own_voice_alone_never_interrupts(recognizer, nlu, played: Speech) -> None:  # type: ignore[no-untyped-def]
    assert check(recognizer, nlu, played, None) is None


@pytest.mark.parametrize("said", ["stop", "stop talking", "please be quiet"])
def test_stop_over_its_voice_interrupts(recognizer, nlu, played: Speech, said: str) -> None:  # type: ignore[no-untyped-def]
    heard = check(recognizer, nlu, played, said)
    assert heard is not None and heard.intent == "stop", heard


def test_a_red_flag_over_its_voice_interrupts(recognizer, nlu, played: Speech) -> None:  # type: ignore[no-untyped-def]
    heard = check(recognizer, nlu, played, "i can't feel my leg it's gone numb")
    assert heard is not None and heard.red_flag, heard


def test_other_talk_over_its_voice_does_not_interrupt(recognizer, nlu, played: Speech) -> None:  # type: ignore[no-untyped-def]
    assert check(recognizer, nlu, played, "what about heat") is None
