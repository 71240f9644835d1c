"""Load and validate the knowledge in intents/*.yaml: examples, checks and answers.

One YAML file per intent label. Loading fails fast with the file and the key
(``heat_ice.yaml: responses is empty``), so a broken file never reaches a user.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml

from voiceback.types import ContentError

SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's safe loader when PyYAML has it (5x faster: 0.14 s instead of 0.70 s of
start-up for intents/), else the pure-Python one; both build the same data."""

GUIDANCE_LABELS = (
    "stop_spasm",
    "breathing",
    "is_it_serious",
    "red_flag",
    "heat_ice",
    "stretches",
    "medication",
    "duration",
    "causes",
    "anxiety",
    "bed_rest",
    "position",
    "prevention",
    "symptoms",
    "sacroiliac",
    "therapy",
    "surgery",
)
CONTROL_LABELS = (
    "stop",
    "pause",
    "resume",
    "repeat",
    "next",
    "previous",
    "slower",
    "faster",
    "louder",
    "quieter",
    "yes",
    "no",
    "help",
    "set_timer",
    "cancel_timer",
    "log_pain",
    "greeting",
    "thanks",
    "goodbye",
    "out_of_scope",
)
ADDED_LABELS = (
    "more",
    "not_sure",
    "timer_left",
    "log_medicine",
    "last_medicine",
    "pain_history",
    "episode_status",
    "delete_log",
)
"""Labels added beyond shared/intent-labels.md, each for a new meaning (see README)."""

LABELS = GUIDANCE_LABELS + CONTROL_LABELS + ADDED_LABELS

SECTIONS = (
    "Physical Therapy For Back Spasms: What You Should Know",
    "Sacroiliac Joint Disease As A Cause Of Lower Back Pain",
    "How Can I Get Rid Of Back Spasms",
    "Consciously Try To Relax Your Muscles With Slow Deep Breaths",
    "Sit Up Straight And Be Still",
    "When Should You Call Your Doctor",
    "Heat And Ice For Back Pain",
    "Symptoms Of A Pulled Back Muscle",
    "Can Anxiety Cause Muscle Spasms",
    "Is It Time For Back Surgery",
    "How Do You Prevent Your Next Lumbar Muscle Spasm",
    "Medicines For Muscle Spasm",
    "Heating Pads To Reduce Back Spasm",
    "How Long Do Back Spasms Last & What To Do For It",
    "Release Your Hip Flexors",
    "What Causes Muscle Spasms And What Is The Best Way To Treat Muscle Spasms",
    "Remedies To Relieve Lower Back Pain Fast",
    "Avoid Prolonged Static Posture",
    "Stretches For Calf Muscle Spasms",
    "Conservative Treatment For Back Spasm",
    "Treating Lower Back Pain: How Much Bed Rest Is Too Much",
)
"""Section headings of the seed article that answers may name as their source."""

SLOT_FIELDS = {"set_timer": ("minutes",), "log_pain": ("pain_level",)}
"""Placeholders a response may use, per intent; the dialog fills them in."""

MIN_EXAMPLES = 30
MIN_CHECKS = 5
_KEYS = {"intent", "source", "responses", "more", "examples", "checks", "not_reports"}
_SPACE = re.compile(r"\s+")


def normalize(text: str) -> str:
    """Lowercase, strip punctuation but apostrophes, fold spaces: how recognizers print."""
    text = text.lower().replace("’", "'")
    text = "".join(" " if ch in string.punctuation and ch != "'" else ch for ch in text)
    return _SPACE.sub(" ", text).strip()


@dataclass(frozen=True, slots=True)
class Intent:
    """One label's knowledge: what people say, and what voiceback says back."""

    name: str
    responses: tuple[str, ...]
    examples: tuple[str, ...]
    checks: tuple[str, ...]
    more: tuple[str, ...] = ()
    source: str = ""
    not_reports: tuple[str, ...] = ()
    """red_flag only: negated or hypothetical mentions that must not raise an alarm."""


@dataclass(frozen=True, slots=True)
class Knowledge:
    intents: Mapping[str, Intent]
    folder: Path

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(self.intents)

    def training(self) -> Iterator[tuple[str, str]]:
        """(text, label) pairs for training, in a stable order."""
        for name, intent in self.intents.items():
            for text in intent.examples:
                yield text, name

    def checks(self) -> Iterator[tuple[str, str]]:
        """(text, label) pairs held out from training, in a stable order."""
        for name, intent in self.intents.items():
            for text in intent.checks:
                yield text, name


def load_knowledge(folder: Path) -> Knowledge:
    """Read every intents/<label>.yaml; raise ContentError naming the file and key."""
    if not folder.is_dir():
        raise ContentError(f"{folder}: the intents folder does not exist")
    intents: dict[str, Intent] = {}
    for path in sorted(folder.glob("*.yaml")):
        intent = load_intent(path)
        intents[intent.name] = intent
    missing = [label for label in LABELS if label not in intents]
    if missing:
        raise ContentError(f"{folder}: no intent file for {', '.join(missing)}")
    _check_held_out(intents)
    ordered = {label: intents[label] for label in LABELS}
    return Knowledge(intents=ordered, folder=folder)


def read_mapping(
    path: Path, keys: set[str], required: tuple[str, ...] = (), shape: str = ""
) -> dict[str, object]:
    """A YAML file holding a mapping with only `keys` and all of `required`; any problem
    is a ContentError naming the file (and line or key). `shape` says what the mapping
    should hold, for the message when it isn't one."""
    name = path.name
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        raise ContentError(f"{name}{where}: not valid YAML ({err})") from err
    except (OSError, UnicodeDecodeError) as err:
        raise ContentError(f"{name}: cannot be read ({err})") from err
    if not isinstance(data, dict):
        raise ContentError(f"{name}: expected a mapping with {shape or ', '.join(required)}")
    unknown = sorted(set(map(str, data)) - keys)
    if unknown:
        raise ContentError(f"{name}: unknown key {unknown[0]}")
    for key in required:
        if key not in data:
            raise ContentError(f"{name}: {key} is missing")
    return data


def load_intent(path: Path) -> Intent:
    name = path.name
    data = read_mapping(path, _KEYS, shape="intent, responses, examples")
    label = data.get("intent")
    if label not in LABELS:
        raise ContentError(f"{name}: intent {label!r} is not a known label")
    if path.stem != label:
        raise ContentError(f"{name}: intent is {label!r} but the file is named {path.stem!r}")
    intent = Intent(
        name=label,
        responses=_texts(data, "responses", name, minimum=1),
        examples=_utterances(data, "examples", name, minimum=MIN_EXAMPLES),
        checks=_utterances(data, "checks", name, minimum=MIN_CHECKS),
        more=_texts(data, "more", name, minimum=0),
        source=_source(data, name, label),
        not_reports=_utterances(data, "not_reports", name, minimum=0),
    )
    _check_placeholders(intent, name)
    return intent


def _texts(data: dict[str, object], key: str, name: str, minimum: int) -> tuple[str, ...]:
    value = data.get(key, [])
    if value is None:
        value = []
    if not isinstance(value, list):
        raise ContentError(f"{name}: {key} must be a list")
    for i, item in enumerate(value):
        if not isinstance(item, str) or not item.strip():
            raise ContentError(f"{name}: {key}[{i}] must be non-empty text")
    if len(value) < minimum:
        what = "is empty" if not value else f"has {len(value)} items, needs {minimum}"
        raise ContentError(f"{name}: {key} {what}")
    return tuple(item.strip() for item in value)


def _utterances(data: dict[str, object], key: str, name: str, minimum: int) -> tuple[str, ...]:
    texts = _texts(data, key, name, minimum)
    seen: dict[str, int] = {}
    for i, text in enumerate(texts):
        norm = normalize(text)
        if not norm:
            raise ContentError(f"{name}: {key}[{i}] has no words")
        if norm in seen:
            raise ContentError(f"{name}: {key}[{i}] repeats {key}[{seen[norm]}] ({text!r})")
        seen[norm] = i
    return tuple(normalize(t) for t in texts)


def _source(data: dict[str, object], name: str, label: str) -> str:
    source = data.get("source", "")
    if label not in GUIDANCE_LABELS:
        if source:
            raise ContentError(f"{name}: source is only for guidance intents")
        return ""
    if source not in SECTIONS:
        raise ContentError(f"{name}: source {source!r} is not a section of the seed article")
    if not data.get("more"):
        raise ContentError(f"{name}: more is empty (guidance intents need the detail)")
    return str(source)


def _check_placeholders(intent: Intent, name: str) -> None:
    allowed = set(SLOT_FIELDS.get(intent.name, ()))
    for key, texts in (("responses", intent.responses), ("more", intent.more)):
        for i, text in enumerate(texts):
            try:
                fields = {f for _, f, _, _ in string.Formatter().parse(text) if f is not None}
            except ValueError as err:
                raise ContentError(f"{name}: {key}[{i}] has a broken {{placeholder}}") from err
            extra = fields - allowed
            if extra:
                raise ContentError(f"{name}: {key}[{i}] uses unknown placeholder {{{extra.pop()}}}")


def _check_held_out(intents: Mapping[str, Intent]) -> None:
    trained: dict[str, str] = {}
    for intent in intents.values():
        for text in intent.examples:
            other = trained.setdefault(text, intent.name)
            if other != intent.name:
                raise ContentError(
                    f"{intent.name}.yaml: examples has {text!r}, also an example of {other}"
                )
    for intent in intents.values():
        for text in intent.checks + intent.not_reports:
            if text in trained:
                raise ContentError(
                    f"{intent.name}.yaml: checks has {text!r}, which is a training example "
                    f"of {trained[text]} (checks must be held out)"
                )
