"""intents/*.yaml: the label contract, the article's facts, and clear errors for broken files."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from voiceback.config import REPO_ROOT
from voiceback.knowledge import (
    ADDED_LABELS,
    GUIDANCE_LABELS,
    LABELS,
    SECTIONS,
    Knowledge,
    load_knowledge,
    normalize,
)
from voiceback.types import ContentError

SEED = REPO_ROOT.parent / "shared" / "seed"
CONTRACT = REPO_ROOT.parent / "shared" / "intent-labels.md"


def test_labels_match_the_contract_exactly() -> None:
    contract = set(re.findall(r"^\| (\w+) \|", CONTRACT.read_text(), flags=re.M)) - {"label"}
    assert contract == set(LABELS) - set(ADDED_LABELS)
    assert len(contract) == 37


def test_every_label_has_a_file(knowledge: Knowledge) -> None:
    assert list(knowledge.intents) == list(LABELS)
    assert sorted(p.stem for p in (REPO_ROOT / "intents").glob("*.yaml")) == sorted(LABELS)


@pytest.mark.parametrize("label", LABELS)
def test_enough_varied_examples_and_held_out_checks(knowledge: Knowledge, label: str) -> None:
    intent = knowledge.intents[label]
    assert len(intent.examples) >= 30
    assert len(intent.checks) >= 10
    assert not set(intent.examples) & set(intent.checks)
    lengths = [len(t.split()) for t in intent.examples]
    assert min(lengths) <= 4, "some very short utterances"
    assert max(lengths) >= 5, "some longer ones"
    for text in intent.examples + intent.checks:
        assert text == normalize(text), "spoken style: lowercase, no punctuation"


def test_long_rambling_utterances_too(knowledge: Knowledge) -> None:
    long = [text for text, _ in knowledge.training() if len(text.split()) >= 12]
    assert len(long) >= 100


@pytest.mark.parametrize("label", GUIDANCE_LABELS)
def test_guidance_names_a_real_section_and_speaks_briefly(knowledge: Knowledge, label: str) -> None:
    seed = "\n".join(p.read_text() for p in SEED.glob("*.txt"))
    intent = knowledge.intents[label]
    assert intent.source in SECTIONS and intent.source in seed
    assert len(intent.responses) >= 3, "several phrasings so a repeat doesn't sound canned"
    assert intent.more
    for text in intent.responses:
        sentences = [s for s in re.split(r"(?<=[.!?])\s+", text) if s]
        assert 2 <= len(sentences) <= 4, text
        assert len(text.split()) <= 50, text


def _all(knowledge: Knowledge, label: str) -> str:
    intent = knowledge.intents[label]
    return " ".join(intent.responses + intent.more).lower()


def test_facts_match_the_article(knowledge: Knowledge) -> None:
    heat_ice = _all(knowledge, "heat_ice")
    assert "15 minutes" in heat_ice and "towel" in heat_ice
    assert "skin" in heat_ice
    serious = _all(knowledge, "is_it_serious") + _all(knowledge, "red_flag")
    assert "12 hours" in serious or "twelve hours" in serious
    for word in ("numbness", "weakness", "bladder", "bowel"):
        assert word in serious
    medication = _all(knowledge, "medication")
    assert "doctor or pharmacist" in medication
    assert re.search(r"(not|isn't|does not work as) an anti-inflammatory", medication)
    assert "drows" in medication  # drowsy / drowsiness
    bed_rest = _all(knowledge, "bed_rest")
    assert "day or two" in bed_rest or "two days" in bed_rest or "48 hours" in bed_rest
    for text in knowledge.intents["medication"].responses:
        assert "doctor or pharmacist" in text.lower(), text


def test_every_red_flag_answer_sends_to_a_doctor(knowledge: Knowledge) -> None:
    for text in knowledge.intents["red_flag"].responses:
        assert "doctor" in text.lower(), text


def _copy(tmp_path: Path) -> Path:
    folder = tmp_path / "intents"
    shutil.copytree(REPO_ROOT / "intents", folder)
    return folder


@pytest.mark.parametrize(
    ("file", "old", "new", "message"),
    [
        ("heat_ice.yaml", "responses:", "responses: []\nold_responses:", "unknown key"),
        ("heat_ice.yaml", "intent: heat_ice", "intent: heat_and_ice", "heat_and_ice"),
        ("greeting.yaml", "examples:", "examples: [\n", "greeting.yaml line"),
        ("thanks.yaml", "intent: thanks", "intent: thanks\nsource: Heat And Ice", "source"),
    ],
)
def test_broken_file_names_file_and_key(
    tmp_path: Path, file: str, old: str, new: str, message: str
) -> None:
    folder = _copy(tmp_path)
    path = folder / file
    path.write_text(path.read_text().replace(old, new, 1))
    with pytest.raises(ContentError, match=message) as err:
        load_knowledge(folder)
    assert file in str(err.value)


def test_empty_responses_are_named(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    path = folder / "stop.yaml"
    emptied = re.sub(r"responses:\n(?:[ \t]+-.*\n)+", "responses: []\n", path.read_text())
    path.write_text(emptied)
    with pytest.raises(ContentError, match=r"stop\.yaml: responses is empty"):
        load_knowledge(folder)


def test_missing_file_and_unknown_label(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    (folder / "surgery.yaml").unlink()
    with pytest.raises(ContentError, match="no intent file for surgery"):
        load_knowledge(folder)
    (folder / "weather.yaml").write_text("intent: weather\nresponses: [hi]\n")
    with pytest.raises(ContentError, match=r"weather\.yaml: intent 'weather' is not a known label"):
        load_knowledge(folder)


def test_a_check_that_is_trained_on_is_rejected(tmp_path: Path, knowledge: Knowledge) -> None:
    folder = _copy(tmp_path)
    leaked = knowledge.intents["stop"].examples[0]
    path = folder / "pause.yaml"
    path.write_text(path.read_text().replace("checks:\n", f'checks:\n  - "{leaked}"\n', 1))
    with pytest.raises(ContentError, match=r"pause\.yaml: checks has .* training example of stop"):
        load_knowledge(folder)
