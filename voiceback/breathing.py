"""The breathing coach: paced slow breathing as spoken cues placed on a clock.

Pure logic, no audio: a BreathingSession turns a BreathingPlan (pace and cue texts
from intents/routines/breathing.yaml) into Cues, each with the time it is due on the
caller's clock. Whoever speaks them (the dialog's tick, `voiceback coach breathing`)
asks `due(now_s)` and says what comes back, so the pacing is set by the clock and
never by how long speech takes.

A breath is an inhale cue, counts on the whole seconds of the inhale, an exhale cue
and counts again. A count is left out while a longer cue is still being said
(estimated at `seconds_per_word`). Between rounds of `breaths_per_round` breaths an
encouragement is said during the exhale. The session ends with the "end" cue, after
`minutes` of breathing (pauses not counted).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml

from voiceback.knowledge import SAFE_LOADER
from voiceback.types import ConfigError, ContentError

__all__ = ["BreathingPlan", "BreathingSession", "Cue", "load_plan"]

_EPS_S = 1e-9


@dataclass(frozen=True, slots=True)
class BreathingPlan:
    """Pace and cue texts of a breathing session (see intents/routines/breathing.yaml)."""

    inhale_s: float = 4.0
    exhale_s: float = 6.0
    minutes: float = 2.0
    """Breathing time of the whole session (the intro and pauses are not counted)."""
    intro: str = ""
    inhale: tuple[str, ...] = ()
    """Said at the start of each inhale, in turn."""
    exhale: tuple[str, ...] = ()
    counts: tuple[str, ...] = ()
    """counts[k] is said k seconds into a phase ("two" one second in); counts[0] never."""
    encouragement: tuple[str, ...] = ()
    end: str = ""
    slower: str = ""
    """Confirmation templates with {inhale} and {exhale} (seconds)."""
    faster: str = ""
    slowest: str = ""
    fastest: str = ""
    inhale_range_s: tuple[float, float] = (3.0, 6.0)
    exhale_range_s: tuple[float, float] = (4.0, 9.0)
    step_s: float = 1.0
    intro_s: float = 7.0
    """From the intro cue to the first inhale."""
    breaths_per_round: int = 3
    seconds_per_word: float = 0.5
    source: Path = Path("breathing.yaml")

    def spoken_s(self, text: str) -> float:
        """A generous estimate of how long `text` takes to say."""
        return len(text.split()) * self.seconds_per_word


@dataclass(frozen=True, slots=True)
class Cue:
    """One thing to say, at a planned time on the session's clock."""

    at_s: float
    text: str
    phase: str
    """"intro" | "inhale" | "exhale" | "count" | "encourage" | "end"."""
    duration_s: float
    """For inhale/exhale: the phase length in seconds (for a breathing circle); else 0."""


@dataclass(frozen=True, slots=True)
class _Planned:
    cue: Cue
    breath: int
    """The breath the cue belongs to; -1 for the intro; the end cue gets the breath count."""


class BreathingSession:
    """A breathing session on the caller's clock: due(), pace changes, pause and resume."""

    def __init__(self, plan: BreathingPlan, start_s: float) -> None:
        if not (plan.inhale and plan.exhale and plan.counts and plan.end):
            raise ContentError(f"{plan.source.name}: the plan has no cue texts (use load_plan)")
        self.plan = plan
        self.inhale_s = plan.inhale_s
        self.exhale_s = plan.exhale_s
        self._total_s = plan.minutes * 60.0
        self._breaths: list[tuple[float, float]] = []  # (start_s, length_s) of planned breaths
        self._said: list[Cue] = []
        self._pending: list[_Planned] = []
        self._paused_at_breath: int | None = None
        self._stopped = False
        self._ended = False
        intro = [_Planned(Cue(start_s, plan.intro, "intro", 0.0), -1)] if plan.intro else []
        first_at = start_s + (plan.intro_s if plan.intro else 0.0)
        self._plan_from(0, first_at)
        self._pending[:0] = intro

    # --- the clock ------------------------------------------------------------------

    def due(self, now_s: float) -> list[Cue]:
        """Cues whose time has come, each returned once, in order."""
        if self._paused_at_breath is not None or self.finished:
            return []
        out: list[Cue] = []
        while self._pending and self._pending[0].cue.at_s <= now_s + _EPS_S:
            cue = self._pending.pop(0).cue
            out.append(cue)
            if cue.phase == "end":
                self._ended = True
                self._pending.clear()
        self._said.extend(out)
        return out

    def next_at_s(self) -> float | None:
        """When the next cue is due; None when finished or paused."""
        if self._paused_at_breath is not None or self.finished or not self._pending:
            return None
        return self._pending[0].cue.at_s

    @property
    def finished(self) -> bool:
        return self._stopped or self._ended

    def timeline(self) -> list[Cue]:
        """The whole session as planned now: the cues said so far, then those to come."""
        return [*self._said, *(p.cue for p in self._pending)]

    # --- controls -------------------------------------------------------------------

    def slower(self, now_s: float) -> str:
        """Lengthen both phases by one step, from the next breath; the spoken confirmation."""
        return self._change_pace(+1, now_s)

    def faster(self, now_s: float) -> str:
        return self._change_pace(-1, now_s)

    def pause(self, now_s: float) -> None:
        """No cues until resume(); the breath under way is begun again then."""
        if self._paused_at_breath is not None or self.finished:
            return
        done = sum(1 for start, length in self._breaths if start + length <= now_s + _EPS_S)
        self._paused_at_breath = done
        self._pending.clear()

    def resume(self, now_s: float) -> None:
        """Re-plan the rest from now_s, starting with a fresh breath."""
        if self._paused_at_breath is None or self.finished:
            return
        breath, self._paused_at_breath = self._paused_at_breath, None
        self._plan_from(breath, now_s)

    def stop(self) -> None:
        self._stopped = True
        self._pending.clear()

    # --- planning -------------------------------------------------------------------

    def _change_pace(self, direction: int, now_s: float) -> str:
        plan = self.plan
        inhale = _clamp(self.inhale_s + direction * plan.step_s, plan.inhale_range_s)
        exhale = _clamp(self.exhale_s + direction * plan.step_s, plan.exhale_range_s)
        at_limit = (inhale, exhale) == (self.inhale_s, self.exhale_s)
        self.inhale_s, self.exhale_s = inhale, exhale
        if self._paused_at_breath is None and not self.finished:
            upcoming = next((p for p in self._pending if p.cue.phase == "inhale"), None)
            if upcoming is not None:
                self._plan_from(upcoming.breath, upcoming.cue.at_s)
        if direction > 0:
            template = plan.slowest if at_limit else plan.slower
        else:
            template = plan.fastest if at_limit else plan.faster
        return template.format(inhale=_seconds(inhale), exhale=_seconds(exhale))

    def _plan_from(self, first: int, at_s: float) -> None:
        """(Re)plan breaths first.. from at_s at the current pace, and the end cue."""
        del self._breaths[first:]
        self._pending = [p for p in self._pending if p.breath < first and p.cue.phase != "end"]
        used_s = sum(length for _, length in self._breaths)
        length = self.inhale_s + self.exhale_s
        count = first
        while used_s < self._total_s - length / 2 or count == 0:
            used_s += length
            count += 1
        t = at_s
        for breath in range(first, count):
            self._breaths.append((t, length))
            self._pending.extend(_Planned(c, breath) for c in self._breath_cues(breath, t, count))
            t += length
        self._pending.append(_Planned(Cue(t, self.plan.end, "end", 0.0), count))

    def _breath_cues(self, breath: int, at_s: float, breaths: int) -> list[Cue]:
        plan = self.plan
        inhale_text = plan.inhale[breath % len(plan.inhale)]
        cues = [Cue(at_s, inhale_text, "inhale", self.inhale_s)]
        cues += self._counts(at_s, self.inhale_s, plan.spoken_s(inhale_text))
        out_s = at_s + self.inhale_s
        exhale_text = plan.exhale[breath % len(plan.exhale)]
        extra: list[Cue] = []
        round_end = (breath + 1) % plan.breaths_per_round == 0 and breath + 1 < breaths
        if round_end and plan.encouragement:
            text = plan.encouragement[(breath // plan.breaths_per_round) % len(plan.encouragement)]
            plain = min(plan.exhale, key=plan.spoken_s)
            for candidate in (exhale_text, plain):
                enc_at = math.ceil(plan.spoken_s(candidate) - _EPS_S)
                if enc_at + plan.spoken_s(text) <= self.exhale_s - 0.3:
                    exhale_text = candidate
                    extra = [Cue(out_s + enc_at, text, "encourage", 0.0)]
                    break
        cues.append(Cue(out_s, exhale_text, "exhale", self.exhale_s))
        busy_s = plan.spoken_s(exhale_text)
        if extra:
            cues += extra
            busy_s = extra[0].at_s - out_s + plan.spoken_s(extra[0].text)
        cues += self._counts(out_s, self.exhale_s, busy_s)
        return cues

    def _counts(self, at_s: float, phase_s: float, busy_s: float) -> list[Cue]:
        """Counts on the whole seconds of a phase, after busy_s, leaving 0.5 s at its end."""
        counts = self.plan.counts
        return [
            Cue(at_s + k, counts[k], "count", 0.0)
            for k in range(1, min(len(counts), math.floor(phase_s - 0.5) + 1))
            if k >= busy_s - _EPS_S
        ]


# --- loading --------------------------------------------------------------------------

ROUTINE_FILE = Path("routines") / "breathing.yaml"


def load_plan(
    intents_dir: Path,
    *,
    inhale_s: float | None = None,
    exhale_s: float | None = None,
    minutes: float | None = None,
) -> BreathingPlan:
    """The plan in intents_dir/routines/breathing.yaml, with the pace overridden by the
    [coach] settings. A broken file raises ContentError naming the file and key; an
    override outside the file's bounds raises ConfigError naming the coach.* key."""
    path = intents_dir / ROUTINE_FILE
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)
    except OSError as err:
        raise ContentError(f"{path}: cannot be read ({err.strerror})") from err
    except (yaml.YAMLError, UnicodeDecodeError) as err:
        raise ContentError(f"{path}: not valid YAML ({err})") from err
    if not isinstance(data, dict):
        raise ContentError(f"{path}: expected a mapping of keys")
    content = _Content(path, data)
    pace = content.table("pace")
    plan = BreathingPlan(
        inhale_s=content.number(pace, "pace.inhale_s"),
        exhale_s=content.number(pace, "pace.exhale_s"),
        minutes=content.number(pace, "pace.minutes"),
        inhale_range_s=content.bounds(pace, "pace.inhale_range_s"),
        exhale_range_s=content.bounds(pace, "pace.exhale_range_s"),
        step_s=content.number(pace, "pace.step_s"),
        intro_s=content.number(pace, "pace.intro_s"),
        breaths_per_round=int(content.number(pace, "pace.breaths_per_round")),
        seconds_per_word=content.number(pace, "pace.seconds_per_word"),
        source=path,
        intro=content.text("intro"),
        inhale=content.texts("inhale"),
        exhale=content.texts("exhale"),
        counts=content.texts("counts"),
        encouragement=content.texts("encouragement"),
        end=content.text("end"),
        slower=content.text("slower"),
        faster=content.text("faster"),
        slowest=content.text("slowest"),
        fastest=content.text("fastest"),
    )
    content.check(plan)
    overrides = {"inhale_s": inhale_s, "exhale_s": exhale_s, "minutes": minutes}
    bounds = {
        "inhale_s": plan.inhale_range_s,
        "exhale_s": plan.exhale_range_s,
        "minutes": (0.5, 30.0),
    }
    for key, value in overrides.items():
        low, high = bounds[key]
        if value is not None and not low <= value <= high:
            raise ConfigError(
                f"coach.{key} must be {low:g}..{high:g} (the bounds in {path.name}), got {value!r}"
            )
    return replace(
        plan,
        inhale_s=plan.inhale_s if inhale_s is None else float(inhale_s),
        exhale_s=plan.exhale_s if exhale_s is None else float(exhale_s),
        minutes=plan.minutes if minutes is None else float(minutes),
    )


class _Content:
    """Typed access to the YAML mapping; every failure names the file and the key."""

    def __init__(self, path: Path, data: dict[str, Any]) -> None:
        self.path = path
        self.data = data

    def fail(self, key: str, problem: str) -> ContentError:
        return ContentError(f"{self.path.name}: {key} {problem}")

    def table(self, key: str) -> dict[str, Any]:
        value = self.data.get(key)
        if not isinstance(value, dict):
            raise self.fail(key, "must be a mapping")
        return value

    def number(self, table: dict[str, Any], key: str) -> float:
        value = table.get(key.split(".")[-1])
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            raise self.fail(key, f"must be a positive number, got {value!r}")
        return float(value)

    def bounds(self, table: dict[str, Any], key: str) -> tuple[float, float]:
        value = table.get(key.split(".")[-1])
        if not (
            isinstance(value, list)
            and len(value) == 2
            and all(isinstance(v, int | float) and v > 0 for v in value)
        ):
            raise self.fail(key, f"must be [low, high] in seconds, got {value!r}")
        if value[0] > value[1]:
            raise self.fail(key, f"has low above high: {value!r}")
        return float(value[0]), float(value[1])

    def text(self, key: str) -> str:
        value = self.data.get(key)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(key, "must be a non-empty text")
        return value.strip()

    def texts(self, key: str) -> tuple[str, ...]:
        value = self.data.get(key)
        if not isinstance(value, list) or not value:
            raise self.fail(key, "must be a non-empty list of texts")
        for i, item in enumerate(value):
            if not isinstance(item, str) or not item.strip():
                raise self.fail(f"{key}[{i}]", f"must be a non-empty text, got {item!r}")
        return tuple(item.strip() for item in value)

    def check(self, plan: BreathingPlan) -> None:
        """Cross-field rules: the pace within bounds, cues short enough for their phase."""
        for key, value, (low, high) in (
            ("pace.inhale_s", plan.inhale_s, plan.inhale_range_s),
            ("pace.exhale_s", plan.exhale_s, plan.exhale_range_s),
        ):
            if not low <= value <= high:
                raise self.fail(key, f"must be within its range {low:g}..{high:g}, got {value:g}")
        for key, texts, phase_s in (
            ("inhale", plan.inhale, plan.inhale_range_s[0]),
            ("exhale", plan.exhale, plan.exhale_range_s[0]),
            ("intro", (plan.intro,), plan.intro_s),
        ):
            for text in texts:
                if plan.spoken_s(text) > phase_s:
                    raise self.fail(key, f"has {text!r}, too long to say in {phase_s:g} s")
        longest = max(plan.inhale_range_s[1], plan.exhale_range_s[1])
        if len(plan.counts) < math.ceil(longest):
            raise self.fail("counts", f"needs at least {math.ceil(longest)} numbers")
        for key in ("slower", "faster", "slowest", "fastest"):
            try:
                getattr(plan, key).format(inhale=4, exhale=6)
            except (KeyError, IndexError, ValueError) as err:
                raise self.fail(
                    key, f"has a bad placeholder ({err}); use {{inhale}}, {{exhale}}"
                ) from err


def _clamp(value: float, bounds: tuple[float, float]) -> float:
    return min(max(value, bounds[0]), bounds[1])


def _seconds(value: float) -> str:
    return f"{value:g}"
