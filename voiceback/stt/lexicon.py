"""Pronunciation dictionaries in CMU/Sphinx format ("word PH PH", "word(2) PH PH").

A compact domain dictionary (the language model's words plus the grammar words) loads in
milliseconds; pocketsphinx with the full 135k-word CMUdict and a small domain language
model took 14-16 s to start on the development machine.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from voiceback.stt.g2p import espeak_pronunciations

_VARIANT = re.compile(r"\(\d+\)$")


@dataclass(frozen=True, slots=True)
class Lexicon:
    """Pronunciations for a vocabulary: word -> phone strings, dictionary entries first."""

    entries: Mapping[str, tuple[str, ...]]
    generated: tuple[str, ...]
    """Words that were not in the dictionary and got espeak-ng pronunciations."""


def base_word(entry: str) -> str:
    """ "on(2)" -> "on"."""
    return _VARIANT.sub("", entry)


def read_pronunciations(dict_path: Path, words: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """Every pronunciation of `words` found in `dict_path` (one pass over the file)."""
    wanted = set(words)
    found: dict[str, list[str]] = {}
    with dict_path.open(encoding="utf-8") as lines:
        for line in lines:
            head, _, phones = line.partition(" ")
            word = base_word(head)
            if word in wanted and phones.strip():
                found.setdefault(word, []).append(" ".join(phones.split()))
    return {word: tuple(p) for word, p in found.items()}


def build_lexicon(words: Iterable[str], dict_path: Path) -> Lexicon:
    """Pronounce `words` from `dict_path`, falling back to espeak-ng for the rest."""
    vocabulary = sorted(set(words))
    entries = read_pronunciations(dict_path, vocabulary)
    missing = [w for w in vocabulary if w not in entries]
    generated = espeak_pronunciations(missing)
    entries.update({word: (phones,) for word, phones in generated.items()})
    return Lexicon(entries=entries, generated=tuple(missing))


def write_dictionary(path: Path, entries: Mapping[str, tuple[str, ...]]) -> None:
    """Write entries in Sphinx format, variants numbered from (2)."""
    lines = []
    for word in sorted(entries):
        for i, phones in enumerate(entries[word]):
            head = word if i == 0 else f"{word}({i + 1})"
            lines.append(f"{head} {phones}\n")
    path.write_text("".join(lines), encoding="utf-8")
