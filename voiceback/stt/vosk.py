"""Vosk (Kaldi): the better recognizer, once a Vosk model is installed under models/.

Word timings and confidences come from `SetWords(True)`: each word's `conf` is its
posterior in the lattice (minimum Bayes risk decoding); the utterance confidence is the
mean over its words. Per-turn grammars use Vosk's runtime grammar (`SetGrammar` with a
JSON phrase list, plus "[unk]" when the model has it, so speech outside the list can
come out as "[unk]" rather than as the nearest phrase; "[unk]" is then dropped from the
text and scores 0). Vosk turns the list into a bigram model, so it can also join or cut
phrases ("yes again" from "yes" and "again"); such a transcript is not one of the
answers listened for and gets confidence 0. Only models with a runtime graph (the
small ones: graph/HCLr.fst + Gr.fst) support grammars.

Vosk's JSON strings never leave this module.

Utterances are delimited by voiceback's endpointer: Vosk's own endpoint signal (after
half a second of silence) is ignored, so a slow speaker's pause does not split a request;
the decoder just goes on. Vosk counts word times from the start of the stream; they are
shifted to the start of the utterance.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from pathlib import Path

import vosk

from voiceback.stt.grammar import phrase_words
from voiceback.types import SAMPLE_RATE_HZ, ModelMissing, RecognizerError, Transcript, Word

log = logging.getLogger(__name__)

UNKNOWN = "[unk]"
_REQUIRED = ("am/final.mdl", "conf/model.conf")
_GRAPHS = ("graph/HCLG.fst", "graph/HCLr.fst")


def check_model_dir(model_dir: Path) -> None:
    """Raise ModelMissing, naming what is wrong, unless `model_dir` looks like a Vosk model."""
    if not model_dir.is_dir():
        raise ModelMissing(
            f"no Vosk model at {model_dir} (voiceback models download fetches the English one)"
        )
    missing = [name for name in _REQUIRED if not (model_dir / name).is_file()]
    if not any((model_dir / name).is_file() for name in _GRAPHS):
        missing.append(" or ".join(_GRAPHS))
    if missing:
        raise ModelMissing(f"{model_dir} is not a Vosk model: {', '.join(missing)} missing")


class VoskRecognizer:
    """The `Recognizer` on Vosk."""

    def __init__(self, model_dir: Path) -> None:
        check_model_dir(model_dir)
        vosk.SetLogLevel(-1)
        try:
            self._model = vosk.Model(str(model_dir))
        except Exception as err:  # vosk raises a bare Exception
            raise ModelMissing(f"Vosk could not load the model in {model_dir}") from err
        self._has_unknown = self._model.vosk_model_find_word(UNKNOWN) >= 0
        self._recognizer = vosk.KaldiRecognizer(self._model, float(SAMPLE_RATE_HZ))
        self._recognizer.SetWords(True)
        self._stream_samples = 0
        """Samples fed since the recognizer was made: Vosk's clock for word times."""
        self._start_samples = 0
        self._in_utterance = False
        self._phrases: tuple[str, ...] | None = None

    @property
    def phrases(self) -> tuple[str, ...] | None:
        """The active grammar's phrases (those the model can say), None if unrestricted."""
        return self._phrases

    def accept(self, pcm: bytes) -> str | None:
        if len(pcm) % 2:
            raise RecognizerError("audio must be whole 16-bit samples (odd byte count)")
        if not self._in_utterance:
            self._in_utterance = True
            self._start_samples = self._stream_samples
        if pcm:
            self._feed(pcm)
        partial = _loads(self._recognizer.PartialResult()).get("partial", "")
        return _clean(str(partial)) or None

    def finish(self) -> Transcript:
        if not self._in_utterance:
            return Transcript(text="", confidence=0.0, audio_seconds=0.0)
        self._in_utterance = False
        result = _loads(self._recognizer.FinalResult())
        words = _words(result, self._start_samples / SAMPLE_RATE_HZ)
        spoken = [w for w in words if w.text != UNKNOWN]
        text = " ".join(w.text for w in spoken)
        confidence = sum(w.confidence for w in spoken) / len(words) if words else 0.0
        if self._phrases is not None and text not in self._phrases:
            confidence = 0.0  # phrases joined or cut: not one of the answers listened for
        return Transcript(
            text=text,
            confidence=confidence,
            audio_seconds=(self._stream_samples - self._start_samples) / SAMPLE_RATE_HZ,
            words=tuple(spoken),
        )

    def reset(self) -> None:
        self._recognizer.Reset()
        self._in_utterance = False

    def restrict(self, phrases: Sequence[str] | None) -> None:
        # SetGrammar on a running recognizer is a Kaldi error: Reset ends the utterance.
        self.reset()
        if phrases is None:
            self._recognizer.SetGrammar("[]")
            self._phrases = None
            return
        usable = self._known_phrases(phrases)
        grammar = [*usable, UNKNOWN] if self._has_unknown else usable
        self._recognizer.SetGrammar(json.dumps(grammar, ensure_ascii=False))
        self._phrases = tuple(usable)

    def _known_phrases(self, phrases: Sequence[str]) -> list[str]:
        """Phrases whose every word the model knows (Vosk would silently drop the others)."""
        usable: list[str] = []
        for phrase in dict.fromkeys(" ".join(phrase_words(p)) for p in phrases):
            unknown = [w for w in phrase.split() if self._model.vosk_model_find_word(w) < 0]
            if unknown:
                log.warning("grammar phrase %r left out: %s not in the model", phrase, unknown)
            elif phrase:
                usable.append(phrase)
        if not usable:
            raise RecognizerError(
                f"none of the grammar phrases can be recognized by this model: {list(phrases)}"
            )
        return usable

    def _feed(self, pcm: bytes) -> None:
        try:
            self._recognizer.AcceptWaveform(pcm)  # True at Vosk's endpoints: ignored
        except Exception as err:  # vosk raises a bare Exception
            raise RecognizerError("Vosk failed to process audio") from err
        self._stream_samples += len(pcm) // 2


def _loads(result: str) -> dict[str, object]:
    try:
        value = json.loads(result)
    except json.JSONDecodeError as err:
        raise RecognizerError(f"Vosk returned a result that is not JSON: {result[:80]!r}") from err
    return value if isinstance(value, dict) else {}


def _words(result: dict[str, object], offset_s: float) -> list[Word]:
    items = result.get("result")
    if not isinstance(items, list):
        return []
    return [
        Word(
            text=str(item["word"]),
            start_s=max(0.0, float(item["start"]) - offset_s),
            end_s=max(0.0, float(item["end"]) - offset_s),
            confidence=min(1.0, max(0.0, float(item.get("conf", 0.0)))),
        )
        for item in items
        if isinstance(item, dict)
    ]


def _clean(text: str) -> str:
    return " ".join(w for w in text.split() if w != UNKNOWN)
