"""Phrase lists compiled into a minimal word automaton."""

from __future__ import annotations

import itertools
from collections import defaultdict

import pytest

from voiceback.stt.grammar import Grammar, compile_phrases, phrase_words

NUMBERS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


def accepted(grammar: Grammar) -> dict[tuple[str, ...], float]:
    """Every word sequence the automaton accepts, with its probability."""
    out: dict[int, list[tuple[str, int, float]]] = defaultdict(list)
    for arc in grammar.arcs:
        out[arc.source].append((arc.word, arc.target, arc.probability))
    found: dict[tuple[str, ...], float] = {}
    stack: list[tuple[int, tuple[str, ...], float]] = [(grammar.start, (), 1.0)]
    while stack:
        state, words, p = stack.pop()
        if state == grammar.final:
            found[words] = found.get(words, 0.0) + p
        for word, target, q in out[state]:
            stack.append((target, (*words, word), p * q))
    return found


def test_phrase_words_normalizes_case_and_punctuation() -> None:
    assert phrase_words("  Can't STOP, now! ") == ("can't", "stop", "now")
    assert phrase_words("네, 아니요") == ("네", "아니요")
    assert phrase_words("?!") == ()


def test_single_words_need_two_states() -> None:
    grammar = compile_phrases(["yes", "no", *NUMBERS])
    assert grammar.n_states == 2
    assert len(grammar.arcs) == 13


def test_accepts_exactly_the_phrases_each_equally_likely() -> None:
    phrases = [
        "set a timer for five minutes", "set a timer for ten minutes", "five", "five minutes",
        "ten minutes", "stop",
    ]  # fmt: skip
    found = accepted(compile_phrases(phrases))
    assert set(found) == {tuple(p.split()) for p in phrases}
    assert all(p == pytest.approx(1 / len(phrases)) for p in found.values())


def test_shared_suffixes_are_merged() -> None:
    # "<n> minutes" for 0..10 and "set a timer for <n> minutes": one "minutes" state.
    phrases = [f"{n} minutes" for n in NUMBERS] + [f"set a timer for {n} minutes" for n in NUMBERS]
    grammar = compile_phrases(phrases)
    assert grammar.n_states == 7  # start, set, a, timer, for, <n>, final
    assert len(accepted(grammar)) == len(phrases)


def test_arc_probabilities_from_each_state_sum_to_one() -> None:
    phrases = [" ".join(p) for p in itertools.product(("left", "right"), ("leg", "hip", "side"))]
    grammar = compile_phrases([*phrases, "left", "both legs"])
    totals: dict[int, float] = defaultdict(float)
    for arc in grammar.arcs:
        totals[arc.source] += arc.probability
    assert all(t == pytest.approx(1.0) for t in totals.values())


def test_duplicates_and_case_collapse() -> None:
    grammar = compile_phrases(["Yes", "yes!", "YES"])
    assert grammar.phrases == (("yes",),)


def test_no_words_is_an_error() -> None:
    with pytest.raises(ValueError):
        compile_phrases(["", "?!"])
