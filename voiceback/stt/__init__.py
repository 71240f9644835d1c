"""Speech recognizers: one Protocol, one module per engine.

Only `stt/pocketsphinx.py` imports pocketsphinx and only `stt/vosk.py` imports vosk;
`make_recognizer` imports the chosen one lazily, so the other engine is never loaded.

Confidence, on one scale for both engines: an estimate, in 0..1, that the transcript is
what was said. Vosk and pocketsphinx's language-model search give word posterior
probabilities from their lattices and the utterance confidence is their mean;
pocketsphinx's grammar search has no lattice (bestpath is off, see issue 3) and maps
its acoustic score per speech frame through a logistic curve fitted on synthesized
in-grammar and out-of-grammar speech (see `stt/pocketsphinx.py`).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Literal, Protocol

from voiceback.types import ConfigError, ModelMissing, Transcript

log = logging.getLogger(__name__)

Engine = Literal["auto", "pocketsphinx", "vosk"]
ENGINES: tuple[Engine, ...] = ("auto", "pocketsphinx", "vosk")

VOSK_MODEL_NAME = "vosk-model-small-en-us-0.15"
"""Folder of the official small English Vosk model under `models/`."""

POCKETSPHINX_DIR_NAME = "pocketsphinx"
"""Folder under `models/` holding the domain language model built by `voiceback train`."""


class Recognizer(Protocol):
    """Streaming speech to text for one utterance at a time (16 kHz mono s16le PCM)."""

    def accept(self, pcm: bytes) -> str | None:
        """Feed audio; return the partial transcript so far, or None if nothing yet."""
        ...

    def finish(self) -> Transcript:
        """End the utterance and return its transcript; the next accept starts a new one."""
        ...

    def reset(self) -> None:
        """Drop the utterance in progress, if any."""
        ...

    def restrict(self, phrases: Sequence[str] | None) -> None:
        """Listen only for `phrases` from the next utterance on; None lifts the limit.

        An utterance in progress is dropped.
        """
        ...


def vosk_model_dir(models_dir: Path, vosk_model: Path | None = None) -> Path:
    """Where the Vosk model is expected: the configured path, else models/<name>."""
    return vosk_model if vosk_model is not None else models_dir / VOSK_MODEL_NAME


def choose_engine(engine: Engine, models_dir: Path, vosk_model: Path | None = None) -> Engine:
    """Resolve "auto": Vosk when its model folder exists, pocketsphinx otherwise."""
    if engine not in ENGINES:
        raise ConfigError(f"stt engine must be one of {', '.join(ENGINES)}, not {engine!r}")
    if engine != "auto":
        return engine
    return "vosk" if vosk_model_dir(models_dir, vosk_model).is_dir() else "pocketsphinx"


def make_recognizer(
    engine: Engine, models_dir: Path, *, vosk_model: Path | None = None, spare: bool = False
) -> Recognizer:
    """Load the recognizer for `engine` ("auto" prefers Vosk when its model is present).

    pocketsphinx uses the domain language model in models/pocketsphinx/ when `voiceback
    train` has built one, else the generic English model in its wheel. `spare`: the
    listener's second-opinion recognizer, whose decode of the utterance so far holds up
    the stream; pocketsphinx then skips its flat-lexicon pass (about 90 of 370 ms for a
    2.5 s request; latency p95 over 90 Piper checks 614-727 ms -> 596, slow speakers
    still 0 of 72 cut off). Raises
    ModelMissing if the chosen engine's model is missing or does not load; under "auto",
    a Vosk model that does not load is logged and pocketsphinx is used instead.
    """
    if choose_engine(engine, models_dir, vosk_model) == "vosk":
        try:
            return _vosk(vosk_model_dir(models_dir, vosk_model))
        except ModelMissing as err:
            if engine != "auto":
                raise
            log.warning("%s; using pocketsphinx", err)
    from voiceback.stt.pocketsphinx import PocketsphinxRecognizer, find_language_model

    model = find_language_model(models_dir / POCKETSPHINX_DIR_NAME)
    return PocketsphinxRecognizer(model, second_pass=not spare)


def _vosk(model_dir: Path) -> Recognizer:
    try:
        from voiceback.stt.vosk import VoskRecognizer
    except ImportError as err:
        raise ModelMissing("the vosk package is not installed (pip install vosk)") from err
    return VoskRecognizer(model_dir)
