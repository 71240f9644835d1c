"""Command line: argparse -> Settings -> commands. Exit 0 ok, 1 failed, 2 bad input."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from voiceback import __version__, logs
from voiceback.config import Settings, find_config, load_settings
from voiceback.types import InputError, VoicebackError

log = logging.getLogger("voiceback")

EXIT_OK, EXIT_FAILED, EXIT_INPUT = 0, 1, 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="voiceback", description="Offline, hands-free voice coach for a back spasm."
    )
    parser.add_argument("--version", action="version", version=f"voiceback {__version__}")
    parser.add_argument("--config", help="config TOML file (default: search the usual places)")
    parser.add_argument("--verbose", "-v", action="store_true", help="log details to stderr")
    sub = parser.add_subparsers(dest="command")

    sub.add_parser("start", help="start: hands-free with a microphone, else text conversation")
    chat = sub.add_parser("chat", help="a conversation over text on stdin/stdout")
    chat.add_argument("--no-speak", action="store_true", help="print replies only")

    ask = sub.add_parser("ask", help="answer one question, printed and spoken")
    ask.add_argument("text", help="what the person said")
    ask.add_argument("--no-speak", action="store_true", help="print the reply only")
    ask.add_argument("--out", type=Path, help="write the spoken reply to this WAV file")
    ask.add_argument("--json", action="store_true", help="print intent, slots and reply as JSON")

    classify = sub.add_parser("classify", help="classify JSON lines {'text': ...}")
    classify.add_argument("--jsonl", required=True, help="input file, or - for stdin")

    train = sub.add_parser("train", help="rebuild the intent model from intents/*.yaml")
    train.add_argument("--out", type=Path, help="model folder (default: models/intent)")

    ev = sub.add_parser("eval", help="accuracy, macro-F1 and red-flag figures on the checks")
    ev.add_argument("--json", action="store_true", help="print the report as JSON")

    listen = sub.add_parser("listen", help="put WAV files through the spoken pipeline")
    listen.add_argument("--wav", nargs="+", type=Path, required=True, help="WAV files")
    listen.add_argument("--json", action="store_true", help="one JSON line per file")
    listen.add_argument("--realtime", action="store_true", help="replay at real-time pace")

    sub.add_parser("run", help="the hands-free loop on the microphone")
    sub.add_parser("devices", help="list audio input and output devices")
    models = sub.add_parser("models", help="speech models")
    models.add_argument("action", choices=["download"], help="download the Vosk English model")

    sub.add_parser("config", help="print the settings in effect")

    # --- coach: breathing session (voiceback/coach.py) ---
    coach = sub.add_parser("coach", help="a guided routine: speak it, or render it to a WAV")
    coach.add_argument("routine", choices=["breathing"], help="which routine")
    coach.add_argument("--out", type=Path, help="render the session to this WAV (+ .json)")
    coach.add_argument("--minutes", type=float, help="session length (default from config)")
    # --- end coach ---

    # --- log: episode, pain and medicine log (voiceback/logbook.py) ---
    logp = sub.add_parser("log", help="the episode, pain and medicine log")
    logp.add_argument("--export", choices=["csv"], required=True, help="write the log out")
    logp.add_argument("--out", type=Path, help="file to write (default: stdout)")
    # --- end log ---

    # --- doctor: self-checks (voiceback/doctor.py) ---
    doctor = sub.add_parser("doctor", help="check devices, models, speech, config, database")
    doctor.add_argument("--json", action="store_true", help="print the checks as JSON")
    # --- end doctor ---
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logs.setup(args.verbose)
    try:
        settings = load_settings(find_config(args.config))
        logs.allow_transcripts(settings.log_transcripts)
        return _dispatch(args, settings)
    except InputError as err:
        print(f"voiceback: {err}", file=sys.stderr)
        return EXIT_INPUT
    except VoicebackError as err:
        print(f"voiceback: {err}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        return EXIT_OK
    except BrokenPipeError:  # e.g. `voiceback eval | head`: the reader left, nothing to say
        sys.stderr.close()
        return EXIT_OK


def _dispatch(args: argparse.Namespace, settings: Settings) -> int:
    from voiceback import commands, voice_commands

    command = args.command or "start"
    if command == "start":
        return voice_commands.start(settings)
    if command == "chat":
        return commands.chat(settings, speak=not args.no_speak, intro=True)
    if command == "run":
        return voice_commands.run(settings)
    if command == "devices":
        return voice_commands.devices()
    if command == "models":
        return voice_commands.download(settings)
    if command == "ask":
        return commands.ask(
            settings, args.text, speak=not args.no_speak, out=args.out, as_json=args.json
        )
    if command == "classify":
        return commands.classify(settings, args.jsonl)
    if command == "train":
        return commands.train(settings, args.out)
    if command == "eval":
        return commands.evaluate(settings, as_json=args.json)
    if command == "listen":
        return voice_commands.listen(settings, args.wav, as_json=args.json, realtime=args.realtime)
    if command == "coach":
        from voiceback import coach

        return coach.command(settings, args)
    if command == "log":
        from voiceback import logbook

        return logbook.command(settings, args)
    if command == "doctor":
        from voiceback import doctor

        return doctor.command(settings, args)
    if command == "config":
        print(json.dumps({k: str(v) for k, v in _fields(settings).items()}, indent=2))
        return EXIT_OK
    raise InputError(f"unknown command {command}")


def _fields(settings: Settings) -> dict[str, object]:
    return {name: getattr(settings, name) for name in settings.__dataclass_fields__}


if __name__ == "__main__":
    sys.exit(main())
