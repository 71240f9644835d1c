"""The spaCy text classifier: deterministic training, saving and loading."""

from __future__ import annotations

import hashlib
from pathlib import Path

import spacy

from voiceback.knowledge import Knowledge
from voiceback.nlu import classifier


def _small(knowledge: Knowledge) -> list[tuple[str, str]]:
    return [(t, n) for n, i in knowledge.intents.items() for t in i.examples[:15]]


def _digest(folder: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            h.update(path.relative_to(folder).as_posix().encode())
            h.update(path.read_bytes())
    return h.hexdigest()


def test_training_is_deterministic(knowledge: Knowledge, tmp_path: Path) -> None:
    settings = classifier.TrainSettings(epochs=3, length=2**12)
    digests = []
    for run in ("a", "b"):
        nlp, report = classifier.train(_small(knowledge), knowledge.labels, settings)
        assert report.examples == 15 * len(knowledge.labels)
        classifier.save(nlp, tmp_path / run)
        digests.append(_digest(tmp_path / run))
    assert digests[0] == digests[1]


def test_saved_pipeline_reloads_with_the_same_answers(knowledge: Knowledge, tmp_path: Path) -> None:
    settings = classifier.TrainSettings(epochs=3, length=2**12)
    nlp, _ = classifier.train(_small(knowledge), knowledge.labels, settings)
    classifier.save(nlp, tmp_path / "m")
    classifier.save(nlp, tmp_path / "m")  # overwriting an existing model works
    again = spacy.load(tmp_path / "m")
    for text in ("is this serious", "louder please", "what stretches help"):
        assert classifier.rank(again, text) == classifier.rank(nlp, text)
    assert abs(sum(p for _, p in classifier.rank(again, "hello", top=99)) - 1.0) < 1e-3


def test_features_survive_recognizer_slips() -> None:
    words, chars = classifier.doc_features(["flexors"], 3, 5, 2)
    slip_words, slip_chars = classifier.doc_features(["flexers"], 3, 5, 2)
    assert not set(words) & set(slip_words)
    assert len(set(chars) & set(slip_chars)) >= 5
