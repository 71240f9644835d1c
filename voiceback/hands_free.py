"""The hands-free loop: microphone -> utterance -> wake/follow-up gate -> turn -> speech.

`Gate` is the pure logic of when to answer. In "wake" mode an utterance must start
with the wake phrase ("hey coach, how should I sit"), or the phrase alone opens
listening with a chime; after each reply it keeps listening `follow_up_s` without it.
In "always" mode every utterance is a candidate, but only a confident, in-domain
request (or a red flag) is answered. While voiceback speaks, what the microphone
hears is thrown away, so its own voice is never taken for a request.
"""

from __future__ import annotations

import difflib
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from voiceback.assistant import Assistant
from voiceback.audio import MicSource
from voiceback.knowledge import normalize
from voiceback.listening import (
    Listener,
    Utterance,
    choose_reading,
    doubt,
    holds_red_flag,
    understand_best,
)
from voiceback.logs import TRANSCRIPTS, fields
from voiceback.tts import Speech, write_wav
from voiceback.types import (
    AudioError,
    Event,
    EventKind,
    Transcript,
    Understanding,
    VoicebackError,
)

if TYPE_CHECKING:
    from voiceback.barge_in import BargeIn

log = logging.getLogger(__name__)
heard_log = logging.getLogger(TRANSCRIPTS)
"""What was heard: silent unless [debug] log_transcripts (voiceback.logs)."""

SAY_AGAIN = "Sorry, could you say that again?"
MIN_STT_CONFIDENCE = 0.3
"""Below this recognizer confidence, a request it was asked for is asked again."""
BACKOFF_S = (1.0, 2.0, 4.0, 8.0, 15.0, 30.0)
TICK_S = 0.1
"""How often what has come due is looked at while there is no microphone."""
MIC_LOST = "I can't hear the microphone. I'll keep trying."
MIC_BACK = "I can hear you again."


def for_us(heard: Understanding) -> bool:
    """Whether an utterance nobody addressed to us (`always` mode) gets an answer: a
    confident, in-domain request, or a reading that leans to a red flag (a red flag
    itself always does)."""
    return heard.check_red_flag or (not heard.fallback and heard.intent != "out_of_scope")


def strip_wake(text: str, phrase: str, cutoff: float = 0.75) -> str | None:
    """The words after the wake phrase, "" if only the phrase, None if it isn't there.

    Recognizers slip on short phrases ("hey couch"), so each word of the phrase is
    compared by spelling similarity with the word heard in its place ("the coach" is
    not "hey coach"); one extra word in front ("um hey coach") is allowed.
    """
    words, wake = normalize(text).split(), normalize(phrase).split()
    for skip in (0, 1):
        heard = words[skip : skip + len(wake)]
        if len(heard) == len(wake) and all(
            _similar(a, b) >= cutoff for a, b in zip(heard, wake, strict=True)
        ):
            return " ".join(words[skip + len(wake) :])
    return None


def _similar(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a, b).ratio()


@dataclass(slots=True)
class Gate:
    mode: str
    wake_phrase: str
    follow_up_s: float
    awake_until_s: float = 0.0

    def awake(self, now_s: float) -> bool:
        return now_s < self.awake_until_s

    def named(self, text: str) -> bool:
        """Whether `text` starts with the wake phrase: said to us by name."""
        return strip_wake(text, self.wake_phrase) is not None

    def admit(self, text: str, now_s: float) -> str | None:
        """The request in `text` to consider, "" for the wake phrase alone, None to ignore."""
        rest = strip_wake(text, self.wake_phrase)
        if rest is not None:
            return rest
        if self.awake(now_s) or self.mode == "always":
            return normalize(text) or None
        return None

    def open(self, now_s: float) -> None:
        self.awake_until_s = now_s + self.follow_up_s

    def close(self) -> None:
        self.awake_until_s = 0.0

    def admit_heard(self, transcript: Transcript, now_s: float) -> Transcript | None:
        """`transcript` with its text and each n-best alternative replaced by the
        request in it; None to ignore. When the best hypothesis starts with the wake
        phrase, an alternative loses its first words as well, heard as the phrase or
        not ("hey go what position helps"): a television's "the coach said the team
        lacked energy after the break" was heard as "hey coach set the pain ... after the
        break", and its alternative "hey coach ... after the breathe", read with the
        wake phrase left in, started breathing. Whether the alternatives agree on the
        phrase is no test of it: the first lacked it for 6 of 40 requests said by name
        (espeak-ng, pink 5 dB)."""
        request = self.admit(transcript.text, now_s)
        if request is None:
            return None
        took = len(normalize(transcript.text).split()) - len(request.split())

        def rest(alternative: str) -> str:
            stripped = strip_wake(alternative, self.wake_phrase)
            if stripped is not None:
                return stripped
            return " ".join(normalize(alternative).split()[took:])

        alternatives = dict.fromkeys(rest(a) for a in transcript.alternatives)
        alternatives.pop(request, None)
        alternatives.pop("", None)
        return replace(transcript, text=request, alternatives=tuple(alternatives))


class HandsFree:
    """Runs until `stop` is set; one bad turn or a vanished microphone never ends it."""

    def __init__(
        self,
        source: MicSource,
        listener: Listener,
        assistant: Assistant,
        gate: Gate,
        chime: Callable[[], None],
        show: Callable[[str], None] = print,
        barge_in: BargeIn | None = None,
        recordings: Path | None = None,
    ) -> None:
        """`recordings`: a folder to keep each utterance in as a WAV ([debug]
        record_audio); None, the default, writes no audio anywhere."""
        self.source = source
        self.recordings = recordings
        self.stopping = threading.Event()
        """Set by run()'s `stop`: the reply being spoken ends after its current sentence."""
        self.listener = listener
        self.assistant = assistant
        self.gate = gate
        self.chime = chime
        self.show = show
        self.barge_in = barge_in
        self._interruption: Understanding | None = None
        self._asked_again = False
        """A follow-up (heard in the window, not by name) was not for us and was asked
        again: the next one that isn't is ignored, so talk nearby (a television) can't
        keep the window open with "say that again" after "say that again"."""

    def run(self, stop: threading.Event) -> None:
        self.stopping = stop
        failures = 0
        while not stop.is_set():
            try:
                self._open(failures)
                if failures:
                    log.warning("microphone back", extra=fields(attempts=failures))
                    self._announce(MIC_BACK)
                failures = 0
                self._listen(stop)
            except AudioError as err:
                wait_s = BACKOFF_S[min(failures, len(BACKOFF_S) - 1)]
                if failures == 0:
                    log.warning("microphone lost; retrying", extra=fields(error=str(err)))
                    self.assistant.on_event(Event(EventKind.ERROR, {"message": str(err)}))
                    self._announce(MIC_LOST)
                else:
                    log.info("microphone still gone", extra=fields(error=str(err), next_s=wait_s))
                self._wait(stop, wait_s)
                failures += 1
        self.source.close()

    def _wait(self, stop: threading.Event, seconds: float) -> None:
        """Wait before trying the microphone again, still saying what comes due (timer
        reminders, breathing cues, the screen's buttons)."""
        deadline = time.monotonic() + seconds
        while not stop.wait(min(TICK_S, max(0.0, deadline - time.monotonic()))):
            if time.monotonic() >= deadline:
                return
            self.tick()

    def _announce(self, text: str) -> None:
        self.show(f"voiceback> {text}")
        self._say(text)

    def _open(self, failures: int) -> None:
        if failures:
            self.source.reopen()
        elif self.source.device is None:
            self.source.open()

    def _listen(self, stop: threading.Event) -> None:
        self.assistant.on_event(Event(EventKind.LISTENING))
        for chunk in self.source:
            if stop.is_set():
                return
            try:
                for utterance in self.listener.feed(chunk):
                    self.handle(utterance)
                self.tick()
            except AudioError:
                raise  # the microphone: run() reopens it
            except VoicebackError as err:
                self._bad_turn(err)

    def _bad_turn(self, err: VoicebackError) -> None:
        """One turn failed (the recognizer, a recording): say so if asked, listen on."""
        log.warning("turn failed; listening on", extra=fields(code=err.code, error=str(err)))
        self.assistant.on_event(Event(EventKind.ERROR, {"code": err.code, "message": str(err)}))
        try:
            self._resume()
            self.listener.expect("")
        except VoicebackError as again:
            log.warning("resetting the recognizer failed", extra=fields(error=str(again)))
        if self.gate.awake(time.monotonic()):
            self._announce("Sorry, something went wrong there. Please try again.")

    def handle(self, utterance: Utterance) -> None:
        now = time.monotonic()
        awake = self.gate.awake(now)
        reading_started = time.perf_counter()
        transcript = self._reading(utterance)
        stt_ms = utterance.finish_ms + (time.perf_counter() - reading_started) * 1000
        self._record(utterance)
        text = transcript.text
        admitted = self.gate.admit_heard(transcript, now)
        request = None if admitted is None else admitted.text
        heard_log.info("heard %r (%.2f) -> %r", text, transcript.confidence, request)
        log.info(
            "utterance",
            extra=fields(
                speech_s=round(utterance.end_s - utterance.start_s, 2),
                words=len(text.split()),
                stt_confidence=round(transcript.confidence, 2),
                admitted=request is not None,
            ),
        )
        if admitted is None:
            self.listener.expect("")
            return
        self.assistant.on_event(Event(EventKind.HEARD, {"text": text}))
        follow_up = awake and not self.gate.named(text)
        if not follow_up:
            self._asked_again = False
        if not admitted.text:
            self.chime()
            self.gate.open(time.monotonic())
            self._resume()
            return
        asked = awake or self.gate.mode == "wake"
        transcript = admitted
        unsure = transcript.confidence < MIN_STT_CONFIDENCE
        understand = self.assistant.nlu.understand
        if unsure and asked and not holds_red_flag(understand, transcript, leaning=True):
            # A red flag is never asked again; a follow-up only once in a row.
            if not self._ignore_miss(follow_up, utterance):
                self._reply(SAY_AGAIN, expect=self.listener.expected)
            return
        self._answer(utterance, transcript, asked, follow_up, stt_ms)

    def _ignore_miss(self, follow_up: bool, utterance: Utterance) -> bool:
        """An utterance it was asked for but can't act on: True to ignore it (listening
        on as before), a follow-up after a follow-up that was already asked again; False
        to ask again, which a follow-up gets once in a row."""
        if follow_up and self._asked_again:
            log.info("a second follow-up not for us; ignored")
            self.listener.expect(utterance.expected)
            return True
        self._asked_again = follow_up
        return False

    def _answer(
        self,
        utterance: Utterance,
        transcript: Transcript,
        asked: bool,
        follow_up: bool,
        stt_ms: float,
    ) -> None:
        """Understand the request, reply, and log the turn's stage timings (--verbose).

        `asked`: said by name, or in a follow-up window; otherwise ("always" mode) only
        a request clearly for us is answered. A follow-up that isn't is answered (asked
        again) once in a row, then ignored until one is or the wake phrase is heard."""
        understand = self.assistant.nlu.understand
        nlu_ms: list[float] = []

        def understood() -> Understanding:
            started = time.perf_counter()
            try:
                heard = understand_best(understand, transcript)
                return heard if utterance.expected else doubt(heard, transcript.confidence)
            finally:
                nlu_ms.append((time.perf_counter() - started) * 1000)

        turn_started = time.perf_counter()
        heard, reply = self.assistant.turn_with(understood)
        turn_ms = (time.perf_counter() - turn_started) * 1000
        if reply.red_flag or (heard and for_us(heard)):
            self._asked_again = False
        elif not asked or self._ignore_miss(follow_up, utterance):
            return  # not clearly for us, and not asked for (or asked again already)
        self.show(f"you> {transcript.text}")
        tts_started = time.perf_counter()
        self._reply(reply.text, expect=reply.expect)
        timings = {
            "listen_ms": (utterance.decided_s - utterance.start_s) * 1000,
            "stt_ms": stt_ms,
            "nlu_ms": sum(nlu_ms),
            "dialog_ms": turn_ms - sum(nlu_ms),
            "tts_ms": (time.perf_counter() - tts_started) * 1000,
        }
        log.info(
            "turn",
            extra=fields(intent=reply.intent, **{k: round(v, 1) for k, v in timings.items()}),
        )
        if reply.action in ("stop", "goodbye"):
            self.gate.close()

    def _record(self, utterance: Utterance) -> None:
        """[debug] record_audio: keep the utterance as a WAV; otherwise no audio is written."""
        if self.recordings is None or not utterance.pcm:
            return
        stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
        path = self.recordings / f"{stamp}-{time.monotonic_ns() % 10**9:09d}.wav"
        try:
            self.recordings.mkdir(parents=True, exist_ok=True)
            write_wav(path, Speech(utterance.pcm, 16_000))
        except (OSError, VoicebackError) as err:
            log.warning("could not keep the recording", extra=fields(path=path, error=str(err)))

    def tick(self) -> None:
        """Say what the conversation has due (breathing cues, reminders, a check-in),
        unless the person is speaking; then listen for their answer without the wake
        phrase."""
        if self.listener.endpointer.in_speech:
            return
        said = self.assistant.tick()  # the loop reads all the time: nothing old is queued
        if not said:
            return
        for spoken in said:
            self.show(f"voiceback> {spoken.text}")
        self._resume()
        self.gate.open(time.monotonic())
        interruption, self._interruption = self._interruption, None
        if interruption is not None:
            self._interrupted(interruption)
        else:
            self.listener.expect(said[-1].expect)

    def _reading(self, utterance: Utterance) -> Transcript:
        """The transcript to act on: a grammar turn's audio is also read by the language
        model, which wins when the grammar was unsure or the model hears a red flag."""
        if not utterance.expected:
            return utterance.transcript
        model = self.listener.reread(utterance)
        return choose_reading(self.assistant.nlu.understand, utterance.transcript, model)

    def _reply(self, text: str, expect: str = "") -> None:
        self.show(f"voiceback> {text}")
        self._say(text)
        if self._interruption is None:
            self.listener.expect(expect)
        self.gate.open(time.monotonic())

    def _say(self, text: str) -> None:
        if self.stopping.is_set():
            return  # stopping: say nothing new
        if self.barge_in is not None:
            self.barge_in.begin()
        started = time.perf_counter()
        self.assistant.say(text)
        log.info("said", extra=fields(ms=round((time.perf_counter() - started) * 1000)))
        self._resume()
        interruption, self._interruption = self._interruption, None
        if interruption is not None:
            self._interrupted(interruption)

    def after_sentence(self, played: Speech) -> bool:
        """The speaker's hook: True to stop the reply here because the person said so,
        or because voiceback is stopping (SIGTERM): the sentence was finished, the rest
        of the reply is dropped."""
        if self.stopping.is_set():
            log.info("stopping after this sentence", extra=fields(sentence_s=played.duration_s))
            return True
        if self.barge_in is None or self._interruption is not None:
            return False
        self._interruption = self.barge_in.check(played)
        return self._interruption is not None

    def _interrupted(self, heard: Understanding) -> None:
        self.assistant.on_event(Event(EventKind.HEARD, {"text": heard.text, "barge_in": True}))
        self.show(f"you> {heard.text} (while I was talking)")
        _, reply = self.assistant.turn_with(lambda: heard)
        self._reply(reply.text, expect=reply.expect)
        if reply.action in ("stop", "goodbye"):
            self.gate.close()

    def _resume(self) -> None:
        """Drop what the microphone heard meanwhile (our own voice) and listen afresh."""
        self.source.flush()
        self.listener.endpointer.reset(keep_noise=True)
        self.listener.recognizer.reset()
