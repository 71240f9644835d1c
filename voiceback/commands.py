"""The text commands behind the CLI: each builds the stages it needs from Settings."""

from __future__ import annotations

import json
import logging
import queue
import sys
import threading
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import IO, Any

from voiceback.assistant import Assistant, VoiceSettings
from voiceback.config import Settings
from voiceback.dialog import Dialog
from voiceback.knowledge import Knowledge, load_knowledge, normalize
from voiceback.store import Store
from voiceback.types import InputError, StoreError, Understanding, VoicebackError

log = logging.getLogger(__name__)

INTRO = (
    "voiceback is ready. Type what you would like to ask and press Enter; "
    "say goodbye or press Ctrl-D to finish."
)


def load_nlu(settings: Settings):
    from voiceback.nlu import NLU

    return NLU.load(settings.intent_model_dir, settings.min_confidence)


def _store(settings: Settings) -> Store | None:
    try:
        return Store(settings.database, recover=True)
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
    """The configured synthesizer: Piper for voice = "piper" (espeak-ng, with a warning,
    when the Piper packages or model are missing), else pyttsx3 with espeak-ng; when
    pyttsx3 can't start, the espeak-ng command line (SpeechError when that fails too)."""
    from voiceback.tts import Pyttsx3Synthesizer
    from voiceback.tts_fallback import EspeakCommandSynthesizer

    if settings.voice == "piper":
        from voiceback.piper_voice import PiperSynthesizer

        try:
            return PiperSynthesizer(settings.voice_name, voice.rate_wpm, voice.volume)
        except VoicebackError as err:
            log.warning("%s; speaking with espeak-ng instead", err)
    try:
        return Pyttsx3Synthesizer(settings.voice_name, voice.rate_wpm, voice.volume)
    except VoicebackError as err:
        log.warning("%s; speaking with the espeak-ng command instead", err)
    return EspeakCommandSynthesizer(settings.voice_name, voice.rate_wpm, voice.volume)


def _speaker(settings: Settings, voice: VoiceSettings):
    """Speech out, each sentence falling back to the espeak-ng command when the voice fails
    on it; None (replies shown as text) when no synthesizer starts at all."""
    from voiceback.tts import Player, Voice
    from voiceback.tts_fallback import backed_up

    device = settings.output_device
    try:
        synth = backed_up(
            _synth(settings, voice), settings.voice_name, voice.rate_wpm, voice.volume
        )
        return Voice(synth, Player(int(device) if device.isdigit() else device or None))
    except VoicebackError as err:
        print(f"voiceback: {err}; replies will be shown as text only", file=sys.stderr)
        return None


def build_assistant(settings: Settings, speak: bool, allow_timers: bool) -> Assistant:
    """The conversation engine; `allow_timers` False (one-shot `ask`) also gives single
    answers instead of step-by-step routines, since no next turn will come."""
    from voiceback.breathing import load_plan

    knowledge = load_knowledge(settings.intents_dir)
    store = _store(settings)
    voice = _voice_settings(settings, store)
    speaker = _speaker(settings, voice) if speak and settings.speak else None
    plan = load_plan(
        settings.intents_dir,
        inhale_s=settings.coach_inhale_s,
        exhale_s=settings.coach_exhale_s,
        minutes=settings.coach_minutes,
    )
    dialog = Dialog(
        knowledge, store, breathing_plan=plan, allow_timers=allow_timers, guided=allow_timers
    )
    return Assistant(
        nlu=load_nlu(settings),
        dialog=dialog,
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
        "check_red_flag": heard.check_red_flag,
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
    """The conversation over stdin/stdout; between lines it keeps the clock going
    (breathing cues, hold counts, timer reminders, the check-in) with Assistant.tick."""
    from voiceback.screen import start_screen

    assistant = build_assistant(settings, speak=speak, allow_timers=True)
    assistant.chime = lambda: _chime(assistant)
    screen = start_screen(settings, assistant)  # its buttons' turns are answered by tick()
    interactive = sys.stdin.isatty()
    if intro:
        print(INTRO)
    disclaimer = assistant.start()
    if disclaimer:
        print(disclaimer)
        _say_or_warn(assistant, disclaimer)
    lines: queue.Queue[str | None] = queue.Queue()
    reader = threading.Thread(target=_read_lines, args=(sys.stdin, lines), daemon=True)
    reader.start()
    prompt = "you> " if interactive else ""
    try:
        print(prompt, end="", flush=True)
        while True:
            try:
                line = lines.get(timeout=TICK_S)
            except queue.Empty:
                for spoken in assistant.tick():
                    lead = "\n" if interactive else ""
                    print(f"{lead}voiceback> {spoken.text}", flush=True)
                    print(prompt, end="", flush=True)
                continue
            if line is None:
                break
            if not line.strip():
                continue
            _, reply = assistant.turn(line)
            print(f"voiceback> {reply.text}", flush=True)
            _say_or_warn(assistant, reply.text)
            if reply.action == "goodbye":
                break
            print(prompt, end="", flush=True)
    finally:
        assistant.close()
        if screen is not None:
            screen.close()
    return 0


TICK_S = 0.1
"""How often `chat` looks at the clock while waiting for a line."""


def _chime(assistant: Assistant) -> None:
    print("voiceback> (chime)", flush=True)
    player = getattr(assistant.speaker, "player", None)
    if player is None:
        return
    from voiceback.audio.earcon import chime
    from voiceback.tts import Speech

    try:
        player.play(Speech(chime(), 16_000))
    except VoicebackError as err:
        log.warning("the chime failed: %s", err)


def _read_lines(stream: IO[str], out: queue.Queue[str | None]) -> None:
    """Lines from stdin onto a queue (None at the end), so the clock runs meanwhile."""
    try:
        for line in _lines(stream, prompt=""):
            out.put(line)
    finally:
        out.put(None)


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
    nlu = load_nlu(settings)
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
    wake phrase ("hey coach how should i sit"), the wake phrase alone, and everyday
    English words as unigrams (`everyday_words`)."""
    from voiceback.stt.pocketsphinx import build_language_model, everyday_words

    examples = [text for text, _ in knowledge.training()]
    wake = normalize(wake_phrase)
    sentences = [*examples, *(f"{wake} {text}" for text in examples), wake, wake]
    everyday = everyday_words()
    model = build_language_model(sentences, folder, everyday=everyday)
    print(
        f"built the speech language model from {len(sentences)} sentences and the "
        f"{len(everyday)} likeliest words of pocketsphinx's English model -> {folder}"
    )
    if model.generated:
        print(
            f"{len(model.generated)} words were not in the pronouncing dictionary and got "
            f"espeak-ng pronunciations: {', '.join(sorted(model.generated))}"
        )


def evaluate(settings: Settings, as_json: bool) -> int:
    from voiceback.evaluation import evaluate as run_eval
    from voiceback.evaluation import format_report

    knowledge: Knowledge = load_knowledge(settings.intents_dir)
    nlu = load_nlu(settings)
    report = run_eval(knowledge, nlu.understand)
    print(json.dumps(asdict(report), indent=1) if as_json else format_report(report))
    return 0
