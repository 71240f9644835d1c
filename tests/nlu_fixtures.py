"""Fixtures for the text path: the real intents, and the real trained spaCy pipeline."""

from __future__ import annotations

from pathlib import Path

import pytest

from voiceback.config import REPO_ROOT, Settings
from voiceback.knowledge import Knowledge, load_knowledge

INTENTS = REPO_ROOT / "intents"
MODEL = REPO_ROOT / "models" / "intent"


def _model_is_fresh() -> bool:
    config = MODEL / "config.cfg"
    if not config.is_file():
        return False
    built = config.stat().st_mtime
    return all(p.stat().st_mtime <= built for p in INTENTS.glob("*.yaml"))


@pytest.fixture(scope="session")
def knowledge() -> Knowledge:
    return load_knowledge(INTENTS)


@pytest.fixture(scope="session")
def model_dir(knowledge: Knowledge) -> Path:
    """models/intent as `voiceback train` builds it (trained here if missing or stale)."""
    if not _model_is_fresh():
        from voiceback.nlu import classifier

        nlp, _ = classifier.train(knowledge.training(), knowledge.labels)
        classifier.save(nlp, MODEL)
    return MODEL


@pytest.fixture(scope="session")
def nlu(model_dir: Path):  # type: ignore[no-untyped-def]
    from voiceback.nlu import NLU

    return NLU.load(model_dir, Settings().min_confidence)
