"""The intent classifier: a spaCy textcat over hashed word and character n-grams.

spaCy's stock TextCatBOW hashes whole tokens (ORTH) only, so one recognizer slip
("spasum", "flexers", "ibuprophen") turns a word into an unseen feature. This
architecture, ``voiceback.HashedNgramBOW.v1``, feeds the same sparse linear layer
(thinc's SparseLinear, a softmax on top) with lowercase word uni- and bigrams plus
character 3- to 5-grams of each word with boundary marks, the features that survive
slips, like a TF-IDF + logistic-regression model but trained and served by spaCy.
Importing this module registers the architecture, so ``spacy.load`` can rebuild it.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import spacy
from spacy.language import Language
from spacy.strings import hash_string  # type: ignore[attr-defined]
from spacy.tokens import Doc
from spacy.training import Example
from spacy.util import minibatch, registry
from thinc.api import Model, SparseLinear_v2, chain, fix_random_seed, softmax_activation

ARCHITECTURE = "voiceback.HashedNgramBOW.v1"


@dataclass(frozen=True, slots=True)
class TrainSettings:
    """Training settings, chosen by cross-validation on the training examples (see bench/)."""

    seed: int = 0
    epochs: int = 12
    batch_size: int = 64
    learn_rate: float = 0.003
    dropout: float = 0.0
    length: int = 2**15
    """Rows of the hashed weight table; 38 labels x 32768 x 4 bytes = 5 MB."""
    char_min: int = 3
    char_max: int = 5
    char_weight: float = 1.0
    """Weight of character n-gram features relative to word features."""
    word_ngrams: int = 2


@lru_cache(maxsize=100_000)
def _char_features(word: str, char_min: int, char_max: int) -> tuple[int, ...]:
    marked = f"<{word}>"
    return tuple(
        hash_string("c:" + marked[i : i + n])
        for n in range(char_min, char_max + 1)
        for i in range(len(marked) - n + 1)
    )


def doc_features(
    words: Sequence[str], char_min: int, char_max: int, word_ngrams: int
) -> tuple[list[int], list[int]]:
    """Hashed features of one utterance: (word n-grams, character n-grams of each word)."""
    chars: list[int] = []
    for word in words:
        chars.extend(_char_features(word, char_min, char_max))
    padded = ["<s>", *words, "</s>"]
    grams = [hash_string("w:" + w) for w in words]
    for n in range(2, word_ngrams + 1):
        grams.extend(
            hash_string(f"{n}:" + " ".join(padded[i : i + n])) for i in range(len(padded) - n + 1)
        )
    return grams, chars


def _extract_forward(model: Model, docs: list[Doc], is_train: bool):
    attrs = model.attrs
    keys_per_doc, vals_per_doc = [], []
    for doc in docs:
        words = [t.lower_ for t in doc if not t.is_space]
        grams, chars = doc_features(
            words, attrs["char_min"], attrs["char_max"], attrs["word_ngrams"]
        )
        weights = [1.0] * len(grams) + [attrs["char_weight"]] * len(chars)
        keys, inverse = np.unique(np.asarray(grams + chars, dtype="uint64"), return_inverse=True)
        vals = np.bincount(inverse, weights=weights).astype("float32")
        keys_per_doc.append(keys)
        vals_per_doc.append(vals / np.float32(np.sqrt(max(len(words), 1))))
    lengths = np.asarray([len(k) for k in keys_per_doc], dtype="int32")
    keys_all = np.concatenate(keys_per_doc) if keys_per_doc else np.zeros((0,), dtype="uint64")
    vals_all = (
        np.concatenate(vals_per_doc).astype("float32")
        if vals_per_doc
        else np.zeros((0,), dtype="float32")
    )

    def backprop(d_out):
        return []

    return (keys_all, vals_all, lengths), backprop


@registry.architectures(ARCHITECTURE)
def build_hashed_ngram_bow(
    length: int = 2**17,
    char_min: int = 3,
    char_max: int = 5,
    char_weight: float = 1.0,
    word_ngrams: int = 2,
    nO: int | None = None,
) -> Model:
    """Hashed word + character n-gram features -> SparseLinear -> softmax (exclusive labels)."""
    attrs = {
        "char_min": char_min,
        "char_max": char_max,
        "char_weight": char_weight,
        "word_ngrams": word_ngrams,
    }
    extract: Model = Model("voiceback_ngrams", _extract_forward, attrs=attrs)
    linear = SparseLinear_v2(nO=nO, length=length)
    model: Model = chain(extract, linear, softmax_activation())
    if nO is not None:
        model.set_dim("nO", nO)
    model.set_ref("output_layer", linear)
    model.attrs["multi_label"] = False
    return model


def build_pipeline(labels: Sequence[str], settings: TrainSettings) -> Language:
    nlp = spacy.blank("en")
    model: dict[str, object] = {
        "@architectures": ARCHITECTURE,
        "length": settings.length,
        "char_min": settings.char_min,
        "char_max": settings.char_max,
        "char_weight": settings.char_weight,
        "word_ngrams": settings.word_ngrams,
        "nO": len(labels),
    }
    textcat = nlp.add_pipe("textcat", config={"model": model, "threshold": 0.0})
    for label in labels:
        textcat.add_label(label)  # type: ignore[attr-defined]
    return nlp


@dataclass(frozen=True, slots=True)
class TrainReport:
    examples: int
    labels: int
    seconds: float
    final_loss: float


def train(
    pairs: Iterable[tuple[str, str]],
    labels: Sequence[str],
    settings: TrainSettings = TrainSettings(),
) -> tuple[Language, TrainReport]:
    """Train deterministically: same examples and settings give the same weights."""
    started = time.perf_counter()
    fix_random_seed(settings.seed)
    nlp = build_pipeline(labels, settings)
    examples = [
        Example.from_dict(
            nlp.make_doc(text), {"cats": {lab: float(lab == label) for lab in labels}}
        )
        for text, label in pairs
    ]
    optimizer = nlp.initialize(lambda: examples)
    optimizer.learn_rate = settings.learn_rate
    rng = random.Random(settings.seed)
    loss = 0.0
    for _ in range(settings.epochs):
        rng.shuffle(examples)
        losses: dict[str, float] = {}
        for batch in minibatch(examples, size=settings.batch_size):
            nlp.update(batch, sgd=optimizer, drop=settings.dropout, losses=losses)
        loss = losses.get("textcat", 0.0)
    report = TrainReport(
        examples=len(examples),
        labels=len(labels),
        seconds=time.perf_counter() - started,
        final_loss=loss,
    )
    return nlp, report


def save(nlp: Language, folder: Path) -> None:
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = folder.with_name(folder.name + ".tmp")
    nlp.to_disk(tmp)
    if folder.exists():
        _remove_tree(folder)
    tmp.rename(folder)


def _remove_tree(folder: Path) -> None:
    for child in sorted(folder.rglob("*"), reverse=True):
        child.rmdir() if child.is_dir() else child.unlink()
    folder.rmdir()


def rank(nlp: Language, text: str, top: int = 3) -> tuple[tuple[str, float], ...]:
    """The best `top` labels for `text` with their probabilities."""
    cats = nlp(text).cats
    best = sorted(cats.items(), key=lambda kv: kv[1], reverse=True)[:top]
    return tuple((label, float(p)) for label, p in best)
