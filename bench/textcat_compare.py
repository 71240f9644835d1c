"""Compare voiceback's hashed n-gram textcat with spaCy's stock text classifiers.

    .venv/bin/python bench/textcat_compare.py

Same training examples, same training loop settings, scored on the held-out checks
(classifier only: no rule layers). Prints accuracy, training time, latency.
"""

from __future__ import annotations

import random
import time
from typing import Any

import spacy
from spacy.language import Language
from spacy.training import Example
from spacy.util import minibatch
from thinc.api import fix_random_seed

from voiceback.config import Settings
from voiceback.knowledge import load_knowledge
from voiceback.nlu import classifier

STOCK: dict[str, dict[str, Any]] = {
    "spacy.TextCatBOW.v3 (words, bigrams)": {
        "@architectures": "spacy.TextCatBOW.v3",
        "exclusive_classes": True,
        "ngram_size": 2,
        "no_output_layer": False,
        "length": 2**15,
    },
}


def train_stock(
    config: dict[str, Any], pairs: list[tuple[str, str]], labels: list[str]
) -> Language:
    settings = classifier.TrainSettings()
    fix_random_seed(settings.seed)
    nlp = spacy.blank("en")
    textcat = nlp.add_pipe("textcat", config={"model": config})
    for label in labels:
        textcat.add_label(label)  # type: ignore[attr-defined]
    examples = [
        Example.from_dict(nlp.make_doc(t), {"cats": {lab: float(lab == y) for lab in labels}})
        for t, y in pairs
    ]
    optimizer = nlp.initialize(lambda: examples)
    optimizer.learn_rate = settings.learn_rate
    rng = random.Random(settings.seed)
    for _ in range(settings.epochs):
        rng.shuffle(examples)
        for batch in minibatch(examples, size=settings.batch_size):
            nlp.update(batch, sgd=optimizer)
    return nlp


def score(name: str, nlp: Language, checks: list[tuple[str, str]], seconds: float) -> None:
    started = time.perf_counter()
    right = sum(classifier.rank(nlp, t, top=1)[0][0] == y for t, y in checks)
    per = (time.perf_counter() - started) / len(checks) * 1000
    print(f"{name:40s} accuracy {right / len(checks):.3f}  train {seconds:.0f} s  {per:.2f} ms/utt")


def main() -> None:
    knowledge = load_knowledge(Settings().intents_dir)
    pairs, labels = list(knowledge.training()), list(knowledge.labels)
    checks = list(knowledge.checks())
    for name, config in STOCK.items():
        started = time.perf_counter()
        nlp = train_stock(config, pairs, labels)
        score(name, nlp, checks, time.perf_counter() - started)
    started = time.perf_counter()
    nlp, _ = classifier.train(pairs, labels)
    score("voiceback.HashedNgramBOW.v1 (+char 3-5)", nlp, checks, time.perf_counter() - started)


if __name__ == "__main__":
    main()
