"""intents/routines/: the step routines and triage load, follow the article, and a broken
file fails naming the file and the key."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from voiceback.config import REPO_ROOT
from voiceback.knowledge import SECTIONS
from voiceback.routines import load_routine, load_routines, load_triage
from voiceback.types import ContentError

FOLDER = REPO_ROOT / "intents" / "routines"


def test_the_routines_load_and_follow_the_article() -> None:
    routines = load_routines(FOLDER)
    first_aid = " ".join(s.text for s in routines.stop_spasm.steps).lower()
    for words in ("slow, deep", "sit upright", "towel", "15 minutes", "12 hours", "bladder"):
        assert words in first_aid, words
    offers = [s.key for s in routines.stop_spasm.steps if s.offer == "ice_timer"]
    assert offers == ["ice_heat"]
    stretches = routines.stretches
    assert [s.key for s in stretches.steps if s.hold_s] == [
        "toes_to_head",
        "weight_on_leg",
        "tiptoes",
        "lunge",
    ]
    assert {"calf", "hamstring", "hip_flexors", "lower_back"} <= {
        part for s in stretches.steps for part in s.body_parts
    }
    assert stretches.start_for("hip_flexors") == 4 and stretches.start_for("neck") == 0
    triage = routines.triage
    assert [q.key for q in triage.questions] == [
        "numbness",
        "bladder_bowel",
        "leg_pain",
        "duration",
    ]
    assert all("doctor" in text for text in triage.verdicts.values())
    for source in [triage.source, routines.stop_spasm.source, *(s.source for s in stretches.steps)]:
        assert not source or source in SECTIONS


def _copy(tmp_path: Path) -> Path:
    folder = tmp_path / "routines"
    shutil.copytree(FOLDER, folder)
    return folder


@pytest.mark.parametrize(
    ("file", "old", "new", "message"),
    [
        ("stretches.yaml", "hold_s: 10", "hold_s: 500", r"stretches\.yaml: steps\[0\]\.hold_s"),
        ("stretches.yaml", "hold_s: 10", "hold_s: ten", r"stretches\.yaml: steps\[0\]\.hold_s"),
        ("stretches.yaml", "body_part: [calf,", "body_part: [knee,", r"steps\[0\]\.body_part"),
        (
            "stop_spasm.yaml",
            "offer: ice_timer",
            "offer: tea",
            r"stop_spasm\.yaml: steps\[2\]\.offer",
        ),
        ("stop_spasm.yaml", "end:", "finish:", r"stop_spasm\.yaml: unknown key finish"),
        ("stop_spasm.yaml", "routine: stop_spasm", "routine: calm", "stop_spasm.yaml: routine"),
        ("stop_spasm.yaml", "  - key: sit", "  - key: breathe", r"steps\[1\]\.key 'breathe'"),
        ("stop_spasm.yaml", 'source: "Sit Up', 'source: "Lie Down', r"steps\[1\]\.source"),
        ("triage.yaml", "if_yes: urgent", "if_yes: panic", r"triage\.yaml: questions\[0\]\.if_yes"),
        ("triage.yaml", "  typical:", "  fine:", r"triage\.yaml: verdicts\.typical is missing"),
        ("triage.yaml", "twelve_hours:", "twelve:", r"triage\.yaml: unknown key twelve"),
        ("triage.yaml", "confirm:", "check:", r"triage\.yaml: unknown key check"),
        ("triage.yaml", 'confirm: "', "confirm: 3 #", r"triage\.yaml: confirm must be"),
        ("triage.yaml", "questions:", "questions: [\n", r"triage\.yaml line \d+: not valid YAML"),
    ],
)
def test_broken_file_names_file_and_key(
    tmp_path: Path, file: str, old: str, new: str, message: str
) -> None:
    folder = _copy(tmp_path)
    path = folder / file
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    with pytest.raises(ContentError, match=message):
        load_routines(folder)


def test_empty_step_text_and_missing_file(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    path = folder / "stretches.yaml"
    path.write_text("routine: stretches\nintro: hi\nend: bye\nsteps:\n  - key: a\n    text: ''\n")
    with pytest.raises(ContentError, match=r"stretches\.yaml: steps\[0\]\.text must be"):
        load_routine(path)
    (folder / "triage.yaml").unlink()
    with pytest.raises(ContentError, match=r"triage\.yaml: cannot be read"):
        load_triage(folder / "triage.yaml")
