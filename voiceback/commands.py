"""The commands behind the CLI: each builds the stages it needs from Settings."""

from __future__ import annotations

import json
import logging
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import asdict
from pathlib import Path
from typing import IO, Any

from voiceback.assistant import Assistant, VoiceSettings
from voiceback.config import Settings
from voiceback.dialog import Dialog
from voiceback.knowledge import Knowledge, load_knowledge, normalize
from voiceback.store import Store
from voiceback.types import AudioChunk, InputError, StoreError, Understanding, VoicebackError

log = logging.getLogger(__name__)

INTRO = (
    "voiceback is ready. Type what you would like to ask and press Enter; "
    "say goodbye or press Ctrl-D to finish. Hands-free listening on the microphone "
    "is not set up yet, so for now please type."
)


def _nlu(settings: Settings):
    from voiceback.nlu import NLU

    return NLU.load(settings.intent_model_dir, settings.min_confidence)


def _store(settings: Settings) -> Store | None:
    try:
        return Store(settings.database)
    except StoreError as err:
        log.warning("%s; nothing will be remembered this time", err)
        return None


def _voice_settings(settings: Settings, store: Store | None) -> VoiceSettings:
    voice = VoiceSettings(settings.rate_wpm, settings.volume)
    if store is not None:
        try:
            voice.rate_wpm = int(store.get("rate_wpm") or voice.rate_wpm)
            voice.volume = float(store.get("volume") or voice.volume)
        except (ValueError, StoreError) as err:
            log.warning("ignoring remembered voice settings: %s", err)
    return voice


def _synth(settings: Settings, voice: VoiceSettings):
    from voiceback.tts import Pyttsx3Synthesizer

    return Pyttsx3Synthesizer(settings.voice_name, voice.rate_wpm, voice.volume)


def _speaker(settings: Settings, voice: VoiceSettings):
    from voiceback.tts import Player, Voice

    device = settings.output_device
    try:
        return Voice(
            _synth(settings, voice), Player(int(device) if device.isdigit() else device or None)
        )
    except VoicebackError as err:
        print(f"voiceback: {err}; replies will be shown as text only", file=sys.stderr)
        return None


def build_assistant(settings: Settings, speak: bool, allow_timers: bool) -> Assistant:
    knowledge = load_knowledge(settings.intents_dir)
    store = _store(settings)
    voice = _voice_settings(settings, store)
    speaker = _speaker(settings, voice) if speak and settings.speak else None
    return Assistant(
        nlu=_nlu(settings),
        dialog=Dialog(knowledge, store),
        speaker=speaker,
        voice=voice,
        store=store,
        allow_timers=allow_timers,
    )


def understanding_json(heard: Understanding) -> dict[str, Any]:
    return {
        "text": heard.text,
        "intent": heard.intent,
        "confidence": heard.confidence,
        "red_flag": heard.red_flag,
        "slots": heard.slots,
        "fallback": heard.fallback,
    }


def ask(settings: Settings, text: str, speak: bool, out: Path | None, as_json: bool) -> int:
    if not normalize(text):
        raise InputError("There is nothing to answer: the text has no words.")
    assistant = build_assistant(settings, speak=speak, allow_timers=False)
    disclaimer = assistant.start()
    heard, reply = assistant.turn(text)
    spoken = f"{disclaimer} {reply.text}" if disclaimer else reply.text
    if as_json:
        fields = understanding_json(heard) if heard else {"text": text, "intent": None}
        print(json.dumps({**fields, "reply": reply.text, "source": reply.source}))
    else:
        print(spoken)
    if out is not None:
        from voiceback.tts import render, write_wav

        write_wav(out, render(_synth(settings, assistant.voice), spoken))
    if speak:
        _say_or_warn(assistant, spoken)
    return 0


def _say_or_warn(assistant: Assistant, text: str) -> None:
    if assistant.speaker is None:
        return
    try:
        assistant.speaker.say(text)
    except VoicebackError as err:
        print(f"voiceback: {err}; replies are shown as text only from now on", file=sys.stderr)
        assistant.speaker = None


def chat(settings: Settings, speak: bool, intro: bool) -> int:
    assistant = build_assistant(settings, speak=speak, allow_timers=True)
    interactive = sys.stdin.isatty()
    if intro:
        print(INTRO)
    disclaimer = assistant.start()
    if disclaimer:
        print(disclaimer)
        _say_or_warn(assistant, disclaimer)
    try:
        for line in _lines(sys.stdin, prompt="you> " if interactive else ""):
            if not line.strip():
                continue
            _, reply = assistant.turn(line)
            print(f"voiceback> {reply.text}", flush=True)
            _say_or_warn(assistant, reply.text)
            if reply.action == "goodbye":
                break
    finally:
        assistant.close()
    return 0


def _lines(stream: IO[str], prompt: str) -> Iterator[str]:
    while True:
        if prompt:
            print(prompt, end="", flush=True)
        try:
            line = stream.readline()
        except UnicodeDecodeError:
            print("voiceback: that line was not readable text; please type it again")
            continue
        if not line:
            return
        yield line.rstrip("\n")


def classify(settings: Settings, source: str) -> int:
    nlu = _nlu(settings)
    bad = 0
    stream = sys.stdin.buffer if source == "-" else _open_binary(source)
    try:
        for number, raw in enumerate(stream, start=1):
            if not raw.strip():
                continue
            try:
                text = _parse_line(raw, number)
                result = understanding_json(nlu.understand(text))
            except InputError as err:
                bad += 1
                print(f"voiceback: {err}", file=sys.stderr)
                result = {"line": number, "text": None, "error": str(err)}
            print(json.dumps(result, ensure_ascii=False), flush=True)
    finally:
        if stream is not sys.stdin.buffer:
            stream.close()
    return 2 if bad else 0


def _open_binary(path: str) -> IO[bytes]:
    try:
        return open(path, "rb")
    except OSError as err:
        raise InputError(f"{path}: cannot be read ({err.strerror})") from err


def _parse_line(raw: bytes, number: int) -> str:
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise InputError(f"line {number}: not UTF-8 text ({err.reason})") from err
    try:
        item = json.loads(line)
    except json.JSONDecodeError as err:
        raise InputError(f"line {number}: not valid JSON ({err.msg})") from err
    if not isinstance(item, dict) or not isinstance(item.get("text"), str):
        raise InputError(f'line {number}: expected an object like {{"text": "..."}}')
    text = item["text"]
    if not text.strip():
        raise InputError(f"line {number}: the text is empty")
    return str(text)


def train(settings: Settings, out: Path | None) -> int:
    from voiceback.nlu import classifier

    knowledge = load_knowledge(settings.intents_dir)
    nlp, report = classifier.train(knowledge.training(), knowledge.labels)
    folder = out or settings.intent_model_dir
    classifier.save(nlp, folder)
    print(
        f"trained the intent model on {report.examples} examples, {report.labels} labels "
        f"in {report.seconds:.1f} s -> {folder}"
    )
    _train_speech(knowledge, settings.models_dir / "pocketsphinx", settings.wake_phrase)
    return 0


def _train_speech(knowledge: Knowledge, folder: Path, wake_phrase: str) -> None:
    """The pocketsphinx domain language model: every training example, also after the
    wake phrase ("hey coach how should i sit"), and the wake phrase alone."""
    from voiceback.stt.pocketsphinx import build_language_model

    examples = [text for text, _ in knowledge.training()]
    wake = normalize(wake_phrase)
    sentences = [*examples, *(f"{wake} {text}" for text in examples), wake, wake]
    model = build_language_model(sentences, folder)
    print(f"built the speech language model from {len(sentences)} sentences -> {folder}")
    if model.generated:
        print(
            f"{len(model.generated)} words were not in the pronouncing dictionary and got "
            f"espeak-ng pronunciations: {', '.join(sorted(model.generated))}"
        )


def evaluate(settings: Settings, as_json: bool) -> int:
    from voiceback.evaluation import evaluate as run_eval
    from voiceback.evaluation import format_report

    knowledge: Knowledge = load_knowledge(settings.intents_dir)
    nlu = _nlu(settings)
    report = run_eval(knowledge, nlu.understand)
    print(json.dumps(asdict(report), indent=1) if as_json else format_report(report))
    return 0


def listen(settings: Settings, files: list[Path], as_json: bool, realtime: bool) -> int:
    """Each WAV file through the spoken pipeline, models loaded once; one result per file."""
    from voiceback.stt import make_recognizer

    knowledge = load_knowledge(settings.intents_dir)
    nlu = _nlu(settings)
    recognizer = make_recognizer(settings.engine, settings.models_dir)  # type: ignore[arg-type]
    bad = 0
    for path in files:
        try:
            result = _listen_one(path, recognizer, nlu, Dialog(knowledge), realtime)
        except VoicebackError as err:
            bad += 1
            print(f"voiceback: {err}", file=sys.stderr)
            result = {"file": str(path), "error": str(err)}
        print(json.dumps(result, ensure_ascii=False) if as_json else _listen_text(result))
        sys.stdout.flush()
    return 2 if bad else 0


def _listen_one(path: Path, recognizer: Any, nlu: Any, dialog: Dialog, realtime: bool) -> dict:
    from voiceback.audio import Endpointer, WavSource
    from voiceback.listening import Listener, complete_request

    started = time.perf_counter()
    with WavSource(path, realtime=realtime) as source:
        listener = Listener(Endpointer(), recognizer, is_complete=complete_request(nlu.understand))
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
        heard = nlu.understand(text)
        if unsure and not heard.red_flag:
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
    """The hands-free loop when there is a microphone, the text conversation otherwise."""
    if has_microphone(settings):
        return run(settings)
    print("No microphone found, so this is a text conversation for now.", file=sys.stderr)
    return chat(settings, speak=True, intro=True)


def run(settings: Settings) -> int:
    import signal
    import threading

    from voiceback.audio import Endpointer, MicSource, chime
    from voiceback.hands_free import Gate, HandsFree
    from voiceback.listening import Listener, complete_request
    from voiceback.stt import make_recognizer
    from voiceback.tts import Speech

    assistant = build_assistant(settings, speak=True, allow_timers=True)
    nlu = assistant.nlu
    recognizer = make_recognizer(settings.engine, settings.models_dir)  # type: ignore[arg-type]

    def play_chime() -> None:
        if assistant.speaker is not None:
            try:
                assistant.speaker.player.play(Speech(chime(), 16_000))  # type: ignore[attr-defined]
            except VoicebackError as err:
                log.warning("chime: %s", err)

    device = settings.input_device
    source = MicSource(int(device) if device.isdigit() else (device or None))
    loop = HandsFree(
        source,
        Listener(Endpointer(), recognizer, is_complete=complete_request(nlu.understand)),
        assistant,
        Gate(settings.mode, settings.wake_phrase, settings.follow_up_s),
        play_chime,
        show=lambda line: print(line, flush=True),
    )
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    disclaimer = assistant.start()
    if disclaimer:
        assistant.say(disclaimer)
    how = f'Say "{settings.wake_phrase}"' if settings.mode == "wake" else "Just ask"
    print(f"voiceback is listening. {how}, then your question. Ctrl-C to stop.", flush=True)
    try:
        loop.run(stop)
    finally:
        assistant.close()
    return 0
