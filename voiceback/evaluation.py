"""Scores on the held-out checks: accuracy, macro-F1, confusions, red-flag figures."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from voiceback.knowledge import Knowledge
from voiceback.types import Understanding


@dataclass(frozen=True, slots=True)
class Report:
    n: int
    accuracy: float
    macro_f1: float
    per_label_f1: dict[str, float]
    confusions: list[tuple[str, str, int]]
    """(expected, predicted, count), most frequent first."""
    red_flag_recall: float
    red_flag_reports: int
    false_alarms: float
    """Share of negated / hypothetical red-flag mentions (not_reports) flagged as red flags."""
    not_reports: int
    false_alarms_other_checks: float
    """Share of all non-red_flag checks flagged as red flags."""
    fallbacks: float
    """Share of checks answered with "sorry, I didn't catch that" (low confidence)."""
    answered_right: float
    """Share of checks answered with the right intent and not asked again."""
    misses: list[tuple[str, str, str]] = field(default_factory=list)
    """(text, expected, predicted) for every wrong check."""


def macro_f1(gold: Sequence[str], pred: Sequence[str], labels: Sequence[str]) -> dict[str, float]:
    scores = {}
    for label in labels:
        tp = sum(1 for g, p in zip(gold, pred, strict=True) if g == label and p == label)
        fp = sum(1 for g, p in zip(gold, pred, strict=True) if g != label and p == label)
        fn = sum(1 for g, p in zip(gold, pred, strict=True) if g == label and p != label)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        scores[label] = 2 * precision * recall / (precision + recall) if tp else 0.0
    return scores


def evaluate(knowledge: Knowledge, understand: Callable[[str], Understanding]) -> Report:
    gold, pred, flagged, fallbacks, answered_right, misses = [], [], [], 0, 0, []
    for text, label in knowledge.checks():
        heard = understand(text)
        predicted = heard.intent
        gold.append(label)
        pred.append(predicted)
        flagged.append(heard.red_flag)
        fallbacks += heard.fallback
        answered_right += predicted == label and not heard.fallback
        if predicted != label:
            misses.append((text, label, predicted))
    not_reports = knowledge.intents["red_flag"].not_reports
    alarms = sum(understand(text).red_flag for text in not_reports)
    reports = [f for g, f in zip(gold, flagged, strict=True) if g == "red_flag"]
    others = [f for g, f in zip(gold, flagged, strict=True) if g != "red_flag"]
    f1 = macro_f1(gold, pred, knowledge.labels)
    confusions = Counter((g, p) for g, p in zip(gold, pred, strict=True) if g != p)
    n = len(gold)
    return Report(
        n=n,
        accuracy=sum(g == p for g, p in zip(gold, pred, strict=True)) / n,
        macro_f1=sum(f1.values()) / len(f1),
        per_label_f1=f1,
        confusions=[(g, p, c) for (g, p), c in confusions.most_common()],
        red_flag_recall=sum(reports) / len(reports) if reports else 0.0,
        red_flag_reports=len(reports),
        false_alarms=alarms / len(not_reports) if not_reports else 0.0,
        not_reports=len(not_reports),
        false_alarms_other_checks=sum(others) / len(others) if others else 0.0,
        fallbacks=fallbacks / n,
        answered_right=answered_right / n,
        misses=misses,
    )


def format_report(report: Report) -> str:
    lines = [
        f"checks: {report.n}",
        f"intent accuracy: {report.accuracy:.3f}",
        f"macro-F1: {report.macro_f1:.3f}",
        f"asked again (low confidence): {report.fallbacks:.3f}",
        f"answered right first time: {report.answered_right:.3f}",
        f"red-flag recall: {report.red_flag_recall:.3f} of {report.red_flag_reports} reports",
        f"red-flag false alarms on negated/hypothetical mentions: {report.false_alarms:.3f} "
        f"of {report.not_reports}",
        f"red-flag false alarms on other checks: {report.false_alarms_other_checks:.3f}",
        "confusions (expected -> predicted: count):",
    ]
    lines += [f"  {g} -> {p}: {c}" for g, p, c in report.confusions[:20]] or ["  none"]
    weakest = sorted(report.per_label_f1.items(), key=lambda kv: kv[1])[:5]
    lines.append("weakest labels (F1): " + ", ".join(f"{k} {v:.2f}" for k, v in weakest))
    return "\n".join(lines)
