"""Choose classifier settings by cross-validation on the TRAINING examples only.

    .venv/bin/python bench/intent_cv.py [FOLDS]

The held-out checks are never used here, so picking settings by this figure does not
tune on the test set. Prints mean accuracy over folds for a few candidate settings.
"""

from __future__ import annotations

import random
import sys
import time
from dataclasses import replace

from voiceback.config import Settings
from voiceback.knowledge import load_knowledge
from voiceback.nlu import classifier

CANDIDATES = {
    "default": {},
    "no char n-grams": {"char_weight": 0.0},
    "char 2-4": {"char_min": 2, "char_max": 4},
    "20 epochs": {"epochs": 20},
    "table 2^16": {"length": 2**16},
}


def main() -> None:
    folds = int(sys.argv[1]) if len(sys.argv) > 1 else 4
    knowledge = load_knowledge(Settings().intents_dir)
    pairs = list(knowledge.training())
    random.Random(0).shuffle(pairs)
    for name, changes in CANDIDATES.items():
        settings = replace(classifier.TrainSettings(), **changes)
        scores = []
        started = time.perf_counter()
        for fold in range(folds):
            test = pairs[fold::folds]
            train = [p for i, p in enumerate(pairs) if i % folds != fold]
            nlp, _ = classifier.train(train, knowledge.labels, settings)
            right = sum(classifier.rank(nlp, t, top=1)[0][0] == lab for t, lab in test)
            scores.append(right / len(test))
        mean = sum(scores) / len(scores)
        print(f"{name:18s} cv accuracy {mean:.3f}  ({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
