"""Load and validate the step routines in intents/routines/: stop_spasm, stretches, triage.

The data (what is said at each step, how long a hold lasts, which answer leads to
which verdict) lives in YAML; this module only checks it. A broken file fails fast
with the file and the key (``stretches.yaml: steps[2].hold_s must be 0..120``).
``breathing.yaml`` in the same folder is read by voiceback/breathing.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from voiceback.knowledge import SECTIONS, read_mapping
from voiceback.types import ContentError

VERDICTS = ("urgent", "call_doctor", "typical")
OFFERS = ("ice_timer",)
BODY_PARTS = ("lower_back", "hip_flexors", "calf", "hamstring", "neck", "upper_back")
MAX_HOLD_S = 120.0


@dataclass(frozen=True, slots=True)
class Step:
    key: str
    text: str
    hold_s: float = 0.0
    """Seconds the stretch is held, counted aloud; 0 for no hold."""
    offer: str = ""
    """A follow-up offered after the step ("ice_timer"), or ""."""
    body_parts: tuple[str, ...] = ()
    source: str = ""


@dataclass(frozen=True, slots=True)
class Routine:
    name: str
    source: str
    intro: str
    steps: tuple[Step, ...]
    end: str

    def start_for(self, body_part: str) -> int:
        """The index of the first step for a body part, 0 when none matches."""
        for i, step in enumerate(self.steps):
            if body_part in step.body_parts:
                return i
        return 0


@dataclass(frozen=True, slots=True)
class Question:
    key: str
    text: str
    if_yes: str
    if_unsure: str


@dataclass(frozen=True, slots=True)
class Triage:
    source: str
    intro: str
    questions: tuple[Question, ...]
    verdicts: Mapping[str, str]
    twelve_hours: str
    """Said once when a spasm episode is still going past 12 hours."""
    confirm: str
    """Asked when spoken words may have held a warning sign the recognizer misheard."""


@dataclass(frozen=True, slots=True)
class Routines:
    stop_spasm: Routine
    stretches: Routine
    triage: Triage

    def steps(self, name: str) -> Routine:
        if name == "stop_spasm":
            return self.stop_spasm
        if name == "stretches":
            return self.stretches
        raise KeyError(name)


def load_routines(folder: Path) -> Routines:
    """Read stop_spasm.yaml, stretches.yaml and triage.yaml from `folder`."""
    return Routines(
        stop_spasm=load_routine(folder / "stop_spasm.yaml"),
        stretches=load_routine(folder / "stretches.yaml"),
        triage=load_triage(folder / "triage.yaml"),
    )


def _read(path: Path, keys: set[str], required: tuple[str, ...]) -> dict[str, object]:
    name = path.name
    data = read_mapping(path, keys, required)
    if data["routine"] != path.stem:
        raise ContentError(f"{name}: routine is {data['routine']!r} but the file is {path.stem!r}")
    return data


def _text(value: object, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ContentError(f"{where} must be non-empty text")
    return " ".join(value.split())


def _source(value: object, where: str) -> str:
    if value in (None, ""):
        return ""
    if value not in SECTIONS:
        raise ContentError(f"{where} {value!r} is not a section of the seed article")
    return str(value)


def _items(value: object, where: str) -> list[dict[str, object]]:
    if not isinstance(value, list) or not value:
        raise ContentError(f"{where} must be a non-empty list")
    for i, item in enumerate(value):
        if not isinstance(item, dict):
            raise ContentError(f"{where}[{i}] must be a mapping")
    return value


def load_routine(path: Path) -> Routine:
    name = path.name
    data = _read(path, {"routine", "source", "intro", "steps", "end"}, ("routine", "steps", "end"))
    steps: list[Step] = []
    for i, item in enumerate(_items(data["steps"], f"{name}: steps")):
        steps.append(_step(item, f"{name}: steps[{i}]"))
    keys = [s.key for s in steps]
    for i, key in enumerate(keys):
        if key in keys[:i]:
            raise ContentError(f"{name}: steps[{i}].key {key!r} is used twice")
    return Routine(
        name=path.stem,
        source=_source(data.get("source"), f"{name}: source"),
        intro=_text(data.get("intro"), f"{name}: intro"),
        steps=tuple(steps),
        end=_text(data["end"], f"{name}: end"),
    )


def _step(item: dict[str, object], where: str) -> Step:
    unknown = sorted(
        set(map(str, item)) - {"key", "text", "hold_s", "offer", "body_part", "source"}
    )
    if unknown:
        raise ContentError(f"{where}: unknown key {unknown[0]}")
    hold = item.get("hold_s", 0)
    if isinstance(hold, bool) or not isinstance(hold, int | float) or not 0 <= hold <= MAX_HOLD_S:
        raise ContentError(f"{where}.hold_s must be 0..{MAX_HOLD_S:g} seconds, got {hold!r}")
    offer = item.get("offer", "")
    if offer and offer not in OFFERS:
        raise ContentError(f"{where}.offer must be one of {', '.join(OFFERS)}, got {offer!r}")
    parts = item.get("body_part", [])
    if not isinstance(parts, list) or any(p not in BODY_PARTS for p in parts):
        raise ContentError(f"{where}.body_part must be a list of {', '.join(BODY_PARTS)}")
    return Step(
        key=_text(item.get("key"), f"{where}.key"),
        text=_text(item.get("text"), f"{where}.text"),
        hold_s=float(hold),
        offer=str(offer),
        body_parts=tuple(map(str, parts)),
        source=_source(item.get("source"), f"{where}.source"),
    )


def load_triage(path: Path) -> Triage:
    name = path.name
    keys = {"routine", "source", "intro", "questions", "verdicts", "twelve_hours", "confirm"}
    data = _read(path, keys, ("routine", "questions", "verdicts", "twelve_hours", "confirm"))
    verdicts = data["verdicts"]
    if not isinstance(verdicts, dict):
        raise ContentError(f"{name}: verdicts must be a mapping of {', '.join(VERDICTS)}")
    for verdict in VERDICTS:
        if verdict not in verdicts:
            raise ContentError(f"{name}: verdicts.{verdict} is missing")
    extra = sorted(set(map(str, verdicts)) - set(VERDICTS))
    if extra:
        raise ContentError(f"{name}: verdicts.{extra[0]} is not one of {', '.join(VERDICTS)}")
    questions = []
    for i, item in enumerate(_items(data["questions"], f"{name}: questions")):
        where = f"{name}: questions[{i}]"
        unknown = sorted(set(map(str, item)) - {"key", "text", "if_yes", "if_unsure"})
        if unknown:
            raise ContentError(f"{where}: unknown key {unknown[0]}")
        for field in ("if_yes", "if_unsure"):
            if item.get(field) not in VERDICTS:
                raise ContentError(f"{where}.{field} must be one of {', '.join(VERDICTS)}")
        questions.append(
            Question(
                key=_text(item.get("key"), f"{where}.key"),
                text=_text(item.get("text"), f"{where}.text"),
                if_yes=str(item["if_yes"]),
                if_unsure=str(item["if_unsure"]),
            )
        )
    return Triage(
        source=_source(data.get("source"), f"{name}: source"),
        intro=_text(data.get("intro"), f"{name}: intro"),
        questions=tuple(questions),
        verdicts={v: _text(verdicts[v], f"{name}: verdicts.{v}") for v in VERDICTS},
        twelve_hours=_text(data["twelve_hours"], f"{name}: twelve_hours"),
        confirm=_text(data["confirm"], f"{name}: confirm"),
    )
