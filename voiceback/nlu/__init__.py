"""Understanding: text -> Understanding, with spaCy (classifier + rule layers).

The trained text classifier ranks the labels; the safety rules detect red-flag
reports on their own and override it; slot rules read minutes, pain level and body
part; low confidence falls back to asking again. Only this package imports spaCy.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import spacy
import srsly
from spacy.language import Language

from voiceback.knowledge import normalize
from voiceback.nlu import classifier
from voiceback.nlu.direction import PAIRS, DirectionRules
from voiceback.nlu.safety import SafetyFinding, SafetyRules
from voiceback.nlu.slots import SlotRules
from voiceback.types import InputError, ModelMissing, Understanding

MAX_CHARS = 2_000
"""Longer text is cut here for the classifier (safety rules still read all of it)."""

SLOTS_FOR = {"set_timer": ("minutes",), "log_pain": ("pain_level",), "stretches": ("body_part",)}
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def clean(text: str) -> str:
    """Drop control characters and unprintable junk; fold Unicode; keep the words."""
    text = unicodedata.normalize("NFKC", text)
    text = _CONTROL.sub(" ", text)
    text = "".join(ch for ch in text if ch.isprintable() or ch.isspace())
    return " ".join(text.split())


@dataclass(slots=True)
class NLU:
    nlp: Language
    safety: SafetyRules
    slots: SlotRules
    direction: DirectionRules
    min_confidence: float = 0.45

    @classmethod
    def load(cls, model_dir: Path, min_confidence: float = 0.45) -> NLU:
        """Load the trained pipeline from `model_dir` (built by `voiceback train`)."""
        if not (model_dir / "config.cfg").is_file():
            raise ModelMissing(
                f"The intent model is missing at {model_dir}: run `voiceback train` to build it."
            )
        try:
            nlp = spacy.load(model_dir, exclude=["tokenizer"])
            _saved_tokenizer(nlp, model_dir / "tokenizer")
        except Exception as err:  # spaCy raises many kinds on a damaged model folder
            raise ModelMissing(
                f"The intent model at {model_dir} could not be loaded ({err}); "
                "run `voiceback train` to rebuild it."
            ) from err
        return cls.from_pipeline(nlp, min_confidence)

    @classmethod
    def from_pipeline(cls, nlp: Language, min_confidence: float = 0.45) -> NLU:
        vocab = nlp.vocab
        rules = SafetyRules(vocab), SlotRules(vocab), DirectionRules(nlp.make_doc)
        return cls(nlp, *rules, min_confidence=min_confidence)

    def understand(self, text: str) -> Understanding:
        """Classify one utterance; raise InputError if it has no words at all."""
        raw = clean(text)
        words = normalize(raw[:MAX_CHARS])
        if not words:
            raise InputError("There were no words to understand.")
        ranking = classifier.rank(self.nlp, words, top=3)
        rules_doc = self.nlp.make_doc(raw.lower())
        finding = self.safety(rules_doc)
        intent, confidence = _direction(ranking, self.direction.decide(rules_doc, ranking[0][0]))
        intent, confidence, red_flag = _apply_safety(intent, confidence, ranking, finding)
        fallback = not red_flag and confidence < self.min_confidence
        found = self.slots(rules_doc)
        slots = {k: v for k, v in found.items() if k in SLOTS_FOR.get(intent, ())}
        return Understanding(
            text=raw,
            intent=intent,
            confidence=round(confidence, 4),
            red_flag=red_flag,
            slots=slots,
            symptoms=finding.reported,
            ranking=ranking,
            fallback=fallback,
        )


def _saved_tokenizer(nlp: Language, path: Path) -> None:
    """Read the saved tokenizer only when it differs from the one the config built.

    spacy.load builds English's default tokenizer from the config, then builds it again
    from the saved one (~0.3 s of start-up, each time adding ~2,700 special cases); ours
    is the default (`spacy.blank("en")`), so the second build is skipped when the saved
    rules (all but the strings, which the vocab holds) are the same.
    """
    tokenizer: Any = nlp.tokenizer
    saved = srsly.msgpack_loads(path.read_bytes())
    built = srsly.msgpack_loads(tokenizer.to_bytes(exclude=["vocab"]))
    if any(saved.get(key) != built.get(key) for key in (saved.keys() | built.keys()) - {"vocab"}):
        tokenizer.from_disk(path)


def _direction(ranking: tuple[tuple[str, float], ...], decided: str) -> tuple[str, float]:
    """For slower/faster and louder/quieter the classifier picks the pair, the words the side."""
    top, probability = ranking[0]
    if decided == top:
        return top, probability
    pair = dict(ranking).get(PAIRS[top], 0.0)
    return decided, probability + pair


def _apply_safety(
    intent: str,
    confidence: float,
    ranking: tuple[tuple[str, float], ...],
    finding: SafetyFinding,
) -> tuple[str, float, bool]:
    """The rules decide red flags: a report always wins, whatever the classifier says.

    When the classifier alone says red_flag, the rules found no report: a negated or
    hypothetical symptom ("what if my leg goes numb") gets is_it_serious, which names the
    red flags and when to call a doctor; anything else gets the next-best label.
    """
    if finding.is_report:
        return "red_flag", 1.0, True
    if intent != "red_flag":
        return intent, confidence, False
    if finding.dismissed or len(ranking) < 2:
        return "is_it_serious", confidence, False
    label, probability = ranking[1]
    return label, probability, False
