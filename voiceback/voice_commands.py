"""The voice commands behind the CLI: listen, run, start, devices, models download."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from voiceback.commands import build_assistant, chat, load_nlu, understanding_json
from voiceback.config import Settings
from voiceback.dialog import Dialog
from voiceback.knowledge import load_knowledge
from voiceback.listening import understand_heard
from voiceback.logs import fields
from voiceback.types import AudioChunk, InputError, VoicebackError

log = logging.getLogger(__name__)


def listen(settings: Settings, files: list[Path], as_json: bool, realtime: bool) -> int:
    """Each WAV file through the spoken pipeline, models loaded once; one result per file."""
    from voiceback.stt import make_recognizer

    knowledge = load_knowledge(settings.intents_dir)
    nlu = load_nlu(settings)
    recognizers = (
        make_recognizer(settings.engine, settings.models_dir),  # type: ignore[arg-type]
        make_recognizer(settings.engine, settings.models_dir, spare=True),  # type: ignore[arg-type]
    )
    bad = 0
    for path in files:
        try:
            dialog = Dialog(knowledge, allow_timers=False, guided=False)
            result = _listen_one(path, recognizers, nlu, dialog, realtime)
        except VoicebackError as err:
            bad += 1
            print(f"voiceback: {err}", file=sys.stderr)
            result = {"file": str(path), "error": str(err)}
        print(json.dumps(result, ensure_ascii=False) if as_json else _listen_text(result))
        sys.stdout.flush()
    return 2 if bad else 0


def _listen_one(
    path: Path, recognizers: tuple[Any, Any], nlu: Any, dialog: Dialog, realtime: bool
) -> dict:
    from voiceback.audio import Endpointer, WavSource
    from voiceback.listening import Listener, complete_request

    recognizer, second = recognizers
    started = time.perf_counter()
    with WavSource(path, realtime=realtime) as source:
        listener = Listener(
            Endpointer(),
            recognizer,
            is_complete=complete_request(nlu.understand),
            second_opinion=second,
        )
        utterances = list(listener.utterances(_room_tone(source, realtime)))
    heard_at = time.perf_counter()
    text = " ".join(u.transcript.text for u in utterances if u.transcript.text).strip()
    result: dict[str, Any] = {"file": str(path), "transcript": text}
    if utterances:
        first, last = utterances[0], utterances[-1]
        result["stt_confidence"] = round(min(u.transcript.confidence for u in utterances), 3)
        result["speech_s"] = [round(first.start_s, 3), round(last.end_s, 3)]
        result["end_decided_s"] = round(last.decided_s, 3)
    timings = {
        "listen_ms": round((heard_at - started) * 1000, 1),
        "stt_finish_ms": round(sum(u.finish_ms for u in utterances), 1),
    }
    from voiceback.hands_free import MIN_STT_CONFIDENCE, SAY_AGAIN

    unsure = utterances and result["stt_confidence"] < MIN_STT_CONFIDENCE
    try:
        heard = understand_heard(nlu.understand, utterances)
        if unsure and not (heard.red_flag or heard.check_red_flag):
            raise InputError("the recognizer was unsure")
    except InputError:
        result.update(intent=None, confidence=0.0, red_flag=False, slots={}, reply=SAY_AGAIN)
        result["timings"] = timings
        return result
    nlu_done = time.perf_counter()
    reply = dialog.respond(heard)
    timings["nlu_ms"] = round((nlu_done - heard_at) * 1000, 2)
    timings["dialog_ms"] = round((time.perf_counter() - nlu_done) * 1000, 2)
    result.update(understanding_json(heard))
    result.update(transcript=text, reply=reply.text, timings=timings)
    del result["text"]
    return result


LEAD_IN_S, TAIL_S = 0.5, 2.0


def _room_tone(chunks: Iterable[AudioChunk], realtime: bool) -> Iterator[AudioChunk]:
    """A file as a microphone hears it: quiet room tone before and after the speech.

    A file may start and end right on the words; the endpointer needs a moment of
    background first to learn the noise floor, and silence after to hear the end.
    Times stay those of the file: the lead-in has negative times.
    """
    import numpy as np

    rng = np.random.default_rng(0)

    def tone(start_s: float, seconds: float) -> AudioChunk:
        samples = rng.normal(0, 32768 * 10 ** (-60 / 20), int(seconds * 16_000))
        return AudioChunk(samples.astype("<i2").tobytes(), start_s=start_s)

    yield tone(-LEAD_IN_S, LEAD_IN_S)
    end_s = 0.0
    for chunk in chunks:
        end_s = chunk.start_s + chunk.duration_s
        yield chunk
    step_s = 0.03
    for i in range(int(TAIL_S / step_s)):
        if realtime:
            time.sleep(step_s)
        yield tone(end_s + i * step_s, step_s)


def _listen_text(result: dict[str, Any]) -> str:
    if "error" in result:
        return f"{result['file']}: error: {result['error']}"
    return (
        f"{result['file']}: heard {result['transcript']!r} -> {result.get('intent')} "
        f"({result.get('confidence', 0):.2f}{', RED FLAG' if result.get('red_flag') else ''})"
        f"\n  reply: {result['reply']}\n  timings: {result['timings']}"
    )


def devices() -> int:
    from voiceback.audio import list_devices

    found = list_devices()
    if not found:
        print("no audio devices found")
        return 1
    for d in found:
        marks = ("default input " if d.is_default_input else "") + (
            "default output" if d.is_default_output else ""
        )
        print(
            f"{d.index:3d}  {d.name}  in:{d.inputs} out:{d.outputs}  "
            f"{d.default_rate_hz:.0f} Hz  {marks}".rstrip()
        )
    return 0


def download(settings: Settings) -> int:
    from voiceback.stt.download import VOSK_SMALL_EN, download_model

    folder = download_model(settings.models_dir, VOSK_SMALL_EN, progress=sys.stderr.isatty())
    print(f'the Vosk English model is ready in {folder}; `engine = "auto"` will use it')
    return 0


def has_microphone(settings: Settings) -> bool:
    from voiceback.audio import find_input, list_devices

    try:
        find_input(settings.input_device or None, list_devices())
    except VoicebackError:
        return False
    return True


def start(settings: Settings) -> int:
    """The hands-free loop when there is a microphone, or no terminal to type on (under
    systemd: the loop keeps trying the microphone); the text conversation otherwise."""
    if has_microphone(settings):
        return run(settings)
    if not sys.stdin.isatty():
        log.warning("no microphone yet and no terminal: listening hands-free, retrying it")
        return run(settings)
    print("No microphone found, so this is a text conversation for now.", file=sys.stderr)
    return chat(settings, speak=True, intro=True)


def run(settings: Settings) -> int:
    import faulthandler

    from voiceback.audio import Endpointer, chime
    from voiceback.barge_in import BargeIn
    from voiceback.hands_free import Gate, HandsFree
    from voiceback.listening import Listener, complete_request
    from voiceback.screen import start_screen
    from voiceback.startup import EarlyMic
    from voiceback.stt import make_recognizer
    from voiceback.tts import Speech, Voice

    source = EarlyMic.for_settings(settings)  # opens while the models load
    assistant = build_assistant(settings, speak=True, allow_timers=True)
    screen = start_screen(settings, assistant)  # its buttons' turns are answered by tick()
    nlu = assistant.nlu
    recognizer = make_recognizer(settings.engine, settings.models_dir)  # type: ignore[arg-type]

    def play_chime() -> None:
        if assistant.speaker is not None:
            try:
                assistant.speaker.player.play(Speech(chime(), 16_000))  # type: ignore[attr-defined]
            except VoicebackError as err:
                log.warning("chime: %s", err)

    loop = HandsFree(
        source,
        Listener(
            Endpointer(),
            recognizer,
            is_complete=complete_request(nlu.understand),
            second_opinion=make_recognizer(settings.engine, settings.models_dir, spare=True),  # type: ignore[arg-type]
        ),
        assistant,
        Gate(settings.mode, settings.wake_phrase, settings.follow_up_s),
        play_chime,
        show=_shower(settings),
        barge_in=BargeIn(source, recognizer, nlu.understand),
        recordings=settings.data_dir / "recordings" if settings.record_audio else None,
    )
    if isinstance(assistant.speaker, Voice):
        assistant.speaker.after_sentence = loop.after_sentence
        try:
            assistant.speaker.player.open()  # now, so the first reply starts at once
        except VoicebackError as err:
            log.warning("speaker: %s", err)
    stop = threading.Event()
    loop.stopping = stop  # SIGTERM: the current sentence is finished, the rest dropped
    stop_on_signal(signal.SIGTERM, stop)
    faulthandler.register(signal.SIGUSR1, all_threads=True)  # a stuck kiosk: where is it?
    for problem in startup_problems(settings, assistant):
        print(f"voiceback> {problem}", flush=True)
        assistant.say(problem)
    disclaimer = assistant.start()
    if disclaimer:
        print(f"voiceback> {disclaimer}", flush=True)  # shown too: the speaker may fail
        assistant.say(disclaimer)
    how = f'Say "{settings.wake_phrase}"' if settings.mode == "wake" else "Just ask"
    print(f"voiceback is listening. {how}, then your question. Ctrl-C to stop.", flush=True)
    try:
        loop.run(stop)
    finally:
        assistant.close()
        if screen is not None:
            screen.close()
        if assistant.store is not None:
            assistant.store.close()  # every write is committed already; this tidies the WAL
    log.info("stopped", extra=fields(reason="SIGTERM"))
    return 0


def stop_on_signal(signum: int, stop: threading.Event) -> None:
    """Set `stop` when the signal comes (SIGTERM: systemd stopping the kiosk).

    Not `stop.set()` in the handler itself: Python runs handlers in the main thread
    between bytecodes, and when that thread is inside `stop.wait()` holding the event's
    lock, `set()` waits for that lock forever (a kiosk that `systemctl stop` can only
    kill). The handler only writes a byte to a pipe; a watcher thread sets the event."""
    read_fd, write_fd = os.pipe()
    os.set_blocking(write_fd, False)  # a storm of signals never blocks the main thread

    def watch() -> None:
        os.read(read_fd, 1)
        stop.set()

    def handle(_signum: int, _frame: object) -> None:
        with contextlib.suppress(OSError):  # the pipe is full: the byte is there already
            os.write(write_fd, b"!")

    threading.Thread(target=watch, name=f"on-signal-{signum}", daemon=True).start()
    signal.signal(signum, handle)


def startup_problems(settings: Settings, assistant: Any) -> list[str]:
    """The cheap self-checks of `voiceback doctor`, as sentences to say aloud (empty when
    all is well). The microphone is left to the loop, which says when it can't hear it
    and keeps trying; the models were loaded already, or run() would have failed."""
    from voiceback import doctor

    results = [
        doctor.check_speaker(settings),
        _check_voice(assistant),
        doctor.check_recognizer(settings),
        doctor.check_database(settings),
    ]
    for failed in (r for r in results if not r.ok):
        log.warning("start-up check failed", extra=fields(check=failed.name, error=failed.message))
    return doctor.spoken_problems(results)


def _check_voice(assistant: Any) -> Any:
    """The assistant's own synthesizer (with its fallbacks) says a word."""
    from voiceback.doctor import CheckResult

    speaker = assistant.speaker
    spoken = "My voice is not working properly."
    if speaker is None or not hasattr(speaker, "synth"):
        return CheckResult("speech synthesis", False, "no speech synthesizer started", "", spoken)
    try:
        seconds = speaker.synth.synthesize("Hello.").duration_s
    except VoicebackError as err:
        return CheckResult("speech synthesis", False, str(err), "", spoken)
    message = f"'Hello.' is {seconds:.1f} s of speech"
    return CheckResult("speech synthesis", seconds > 0.1, message, "", spoken)


def _shower(settings: Settings) -> Callable[[str], None]:
    """Print conversation lines; under systemd stdout is the journal, so what the person
    said ("you> ...") is kept out of it unless [debug] log_transcripts."""
    from voiceback.logs import under_journal

    private = under_journal(sys.stdout) and not settings.log_transcripts

    def show(line: str) -> None:
        if private and line.startswith("you> "):
            return
        print(line, flush=True)

    return show
