"""The breathing session's logic on a plain float clock that the tests move forward."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from voiceback.breathing import BreathingPlan, BreathingSession, Cue, load_plan
from voiceback.config import Settings, load_settings
from voiceback.types import ConfigError, ContentError

INTENTS = Path(__file__).resolve().parent.parent / "intents"
START_S = 1000.0


@pytest.fixture(scope="module")
def plan() -> BreathingPlan:
    return load_plan(INTENTS)


def run(session: BreathingSession, now_s: float, until_s: float, step_s: float = 0.1) -> float:
    """Tick the session every step_s like the hands-free loop; returns the clock."""
    while now_s < until_s and not session.finished:
        session.due(now_s)
        now_s = round(now_s + step_s, 6)
    return now_s


def ticked(session: BreathingSession, now_s: float, step_s: float = 0.1) -> list[tuple[float, Cue]]:
    """Everything said until the end, with the clock time it was returned at."""
    said: list[tuple[float, Cue]] = []
    while not session.finished:
        said += [(now_s, cue) for cue in session.due(now_s)]
        now_s = round(now_s + step_s, 6)
        assert now_s < START_S + 3600, "the session never finished"
    return said


def breaths(cues: list[Cue]) -> list[tuple[float, float, float]]:
    """(inhale at, inhale length, exhale length) per breath."""
    out = []
    for cue in cues:
        if cue.phase == "inhale":
            exhale = next(c for c in cues if c.phase == "exhale" and c.at_s > cue.at_s)
            assert exhale.at_s == pytest.approx(cue.at_s + cue.duration_s)
            out.append((cue.at_s, cue.duration_s, exhale.duration_s))
    return out


def test_plan_from_the_routine_file(plan: BreathingPlan) -> None:
    assert (plan.inhale_s, plan.exhale_s, plan.minutes) == (4.0, 6.0, 2.0)
    assert "How does your back feel now?" in plan.end
    relaxation = " ".join((plan.intro, *plan.inhale, *plan.exhale)).lower()
    for cue in ("relax your muscles", "don't hold your breath", "upright", "still"):
        assert cue in relaxation
    assert plan.source.name == "breathing.yaml"


def test_config_defaults_match_the_routine_file(plan: BreathingPlan) -> None:
    settings = Settings()
    assert (settings.coach_inhale_s, settings.coach_exhale_s, settings.coach_minutes) == (
        plan.inhale_s,
        plan.exhale_s,
        plan.minutes,
    )


def test_all_cues_in_order_then_the_end(plan: BreathingPlan) -> None:
    session = BreathingSession(plan, START_S)
    planned = session.timeline()
    said = ticked(session, START_S)
    assert [cue for _, cue in said] == planned
    for returned_at, cue in said:
        assert cue.at_s <= returned_at < cue.at_s + 0.1 + 1e-6
    phases = [cue.phase for _, cue in said]
    assert phases[0] == "intro" and phases[-1] == "end"
    assert phases.count("end") == 1 and session.finished
    assert said[-1][1].text == plan.end
    assert session.due(START_S + 9999) == [] and session.next_at_s() is None
    # 2 minutes of 4 + 6 s breaths: 12 breaths, every phase exactly on the plan
    pace = breaths(planned)
    assert len(pace) == 12
    assert all((inhale, exhale) == (4.0, 6.0) for _, inhale, exhale in pace)
    assert [at for at, _, _ in pace] == [START_S + plan.intro_s + 10 * i for i in range(12)]
    assert said[-1][1].at_s == START_S + plan.intro_s + 120


def test_counts_and_encouragement_fit_their_phase(plan: BreathingPlan) -> None:
    cues = BreathingSession(plan, START_S).timeline()
    inhale = next(c for c in cues if c.text == "Breathe in.")
    after = [c for c in cues if inhale.at_s < c.at_s < inhale.at_s + inhale.duration_s]
    assert [(c.at_s - inhale.at_s, c.text, c.phase) for c in after] == [
        (1.0, "two", "count"),
        (2.0, "three", "count"),
        (3.0, "four", "count"),
    ]
    encouragements = [c for c in cues if c.phase == "encourage"]
    assert len(encouragements) == 3  # between 4 rounds of 3 breaths, none after the last
    assert len({c.text for c in encouragements}) == 3
    for enc in encouragements:
        exhale = max(
            (c for c in cues if c.phase == "exhale" and c.at_s < enc.at_s), key=lambda c: c.at_s
        )
        assert enc.at_s + plan.spoken_s(enc.text) <= exhale.at_s + exhale.duration_s
    for cue, nxt in itertools.pairwise(cues):
        assert nxt.at_s > cue.at_s
        if cue.phase in ("inhale", "exhale"):
            assert cue.at_s + plan.spoken_s(cue.text) <= nxt.at_s + 1e-9


def test_next_at_is_the_next_cue(plan: BreathingPlan) -> None:
    session = BreathingSession(plan, START_S)
    assert session.next_at_s() == START_S
    assert [c.phase for c in session.due(START_S)] == ["intro"]
    assert session.next_at_s() == START_S + plan.intro_s
    assert session.due(START_S + plan.intro_s - 0.01) == []


def test_slower_changes_the_following_breaths_only(plan: BreathingPlan) -> None:
    session = BreathingSession(plan, START_S)
    now = run(session, START_S, START_S + plan.intro_s + 1.0)  # inside the first inhale
    assert session.slower(now) == "Slower then. In for 5, out for 7."
    pace = breaths(session.timeline())
    assert pace[0][1:] == (4.0, 6.0)  # the breath under way keeps its pace
    assert all((inhale, exhale) == (5.0, 7.0) for _, inhale, exhale in pace[1:])
    assert pace[1][0] == START_S + plan.intro_s + 10.0
    assert pace[2][0] - pace[1][0] == 12.0
    said = ticked(session, now)
    assert [c for _, c in said] == session.timeline()[-len(said) :]
    assert said[0][1].at_s > now - 0.1
    assert said[-1][1].phase == "end"


def test_faster_then_bounds(plan: BreathingPlan) -> None:
    session = BreathingSession(plan, START_S)
    assert session.faster(START_S) == "A little faster then. In for 3, out for 5."
    assert session.faster(START_S) == "A little faster then. In for 3, out for 4."
    assert session.faster(START_S) == "This is as quick as I go. In for 3, out for 4."
    assert all((i, e) == (3.0, 4.0) for _, i, e in breaths(session.timeline()))
    for _ in range(6):
        reply = session.slower(START_S)
    assert reply == "This is as slow as I go. In for 6, out for 9."
    pace = breaths(session.timeline())
    assert all((i, e) == (6.0, 9.0) for _, i, e in pace)
    assert len(pace) == 8  # 2 minutes of breathing: 8 breaths of 15 s


def test_pause_stops_cues_and_resume_restarts_the_breath(plan: BreathingPlan) -> None:
    session = BreathingSession(plan, START_S)
    first_inhale = START_S + plan.intro_s
    now = run(session, START_S, first_inhale + 12.0)  # 2 s into the second breath
    session.pause(now)
    assert session.next_at_s() is None and not session.finished
    assert session.due(now + 600) == []
    resumed_at = now + 600
    session.resume(resumed_at)
    assert session.next_at_s() == resumed_at
    cue = session.due(resumed_at)[0]
    assert (cue.phase, cue.at_s, cue.text) == ("inhale", resumed_at, plan.inhale[1])
    said = ticked(session, resumed_at)
    pace = breaths([cue, *(c for _, c in said)])
    assert len(pace) == 11  # the first breath was done, the second is begun again
    assert said[-1][1].phase == "end"
    assert said[-1][1].at_s == resumed_at + 11 * 10.0
    session.resume(resumed_at)  # not paused: nothing changes
    assert session.finished


def test_pace_change_while_paused_applies_on_resume(plan: BreathingPlan) -> None:
    session = BreathingSession(plan, START_S)
    session.pause(START_S + 1.0)
    assert session.slower(START_S + 2.0).startswith("Slower then.")
    assert session.due(START_S + 30.0) == []
    session.resume(START_S + 30.0)
    pace = breaths(session.timeline())
    assert pace[0] == (START_S + 30.0, 5.0, 7.0)


def test_stop(plan: BreathingPlan) -> None:
    session = BreathingSession(plan, START_S)
    run(session, START_S, START_S + 20.0)
    session.stop()
    assert session.finished and session.next_at_s() is None
    assert session.due(START_S + 9999) == []
    session.resume(START_S + 30.0)
    assert session.due(START_S + 9999) == []


def test_short_session_overrides(plan: BreathingPlan) -> None:
    short = load_plan(INTENTS, inhale_s=3, exhale_s=5, minutes=1)
    pace = breaths(BreathingSession(short, 0.0).timeline())
    assert len(pace) == 7 and all((i, e) == (3.0, 5.0) for _, i, e in pace)


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("inhale_s", 10.0, "coach.inhale_s must be 3..6"),
        ("exhale_s", 2.0, "coach.exhale_s must be 4..9"),
        ("minutes", 0.0, "coach.minutes must be 0.5..30"),
    ],
)
def test_override_out_of_bounds(key: str, value: float, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_plan(INTENTS, **{key: value})


def broken_copy(tmp_path: Path, old: str, new: str) -> Path:
    (tmp_path / "routines").mkdir()
    source = (INTENTS / "routines" / "breathing.yaml").read_text(encoding="utf-8")
    assert old in source
    (tmp_path / "routines" / "breathing.yaml").write_text(source.replace(old, new, 1))
    return tmp_path


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "  inhale_s: 4 ",
            "  inhale_s: four ",
            r"breathing.yaml: pace.inhale_s must be a positive",
        ),
        ("  inhale_s: 4 ", "  inhale_s: 8 ", r"breathing.yaml: pace.inhale_s must be within"),
        ("exhale_range_s: [4, 9]", "exhale_range_s: [9, 4]", r"pace.exhale_range_s has low"),
        ('end: "That', 'ending: "That', r"breathing.yaml: end must be a non-empty text"),
        ("encouragement:\n", "encouragement: []\nunused:\n", r"encouragement must be a non-empty"),
        ('  - "Breathe in."\n', "  - 4\n", r"breathing.yaml: inhale\[1\] must be a non-empty"),
        (
            '  - "Breathe in."\n',
            '  - "Breathe in now, all the way down to the bottom of your belly."\n',
            r"breathing.yaml: inhale has .* too long to say in 3 s",
        ),
        ('{inhale}, out for {exhale}."\nfaster', '{in}."\nfaster', r"slower has a bad place"),
        ("eight, nine, ten]", "eight]", r"breathing.yaml: counts needs at least 9"),
        ("pace:\n", "pace: 3\nold_pace:\n", r"breathing.yaml: pace must be a mapping"),
        ("intro: \"Let's", "intro: [\"Let's", r"breathing.yaml: not valid YAML"),
    ],
)
def test_bad_yaml_names_file_and_key(tmp_path: Path, old: str, new: str, message: str) -> None:
    folder = broken_copy(tmp_path, old, new)
    with pytest.raises(ContentError, match=message):
        load_plan(folder)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ContentError, match=r"routines/breathing.yaml: cannot be read"):
        load_plan(tmp_path)


def test_plan_without_texts_is_refused() -> None:
    with pytest.raises(ContentError, match="use load_plan"):
        BreathingSession(BreathingPlan(), 0.0)


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ("inhale_s = 8", r"coach.inhale_s must be 3..6, got 8.0"),
        ("exhale_s = 3.5", r"coach.exhale_s must be 4..9, got 3.5"),
        ("minutes = 0", r"coach.minutes must be 0.5..30, got 0.0"),
        ('minutes = "two"', r"coach.minutes must be a number, got 'two'"),
        ("hold_s = 2", r"unknown key coach.hold_s"),
    ],
)
def test_coach_config_names_the_bad_key(tmp_path: Path, table: str, message: str) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f"[coach]\n{table}\n")
    with pytest.raises(ConfigError, match=message):
        load_settings(config)


def test_coach_config_is_read(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[coach]\ninhale_s = 5\nexhale_s = 8.5\nminutes = 3\n")
    settings = load_settings(config)
    assert (settings.coach_inhale_s, settings.coach_exhale_s, settings.coach_minutes) == (
        5.0,
        8.5,
        3.0,
    )
