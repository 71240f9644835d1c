"""`voiceback doctor`: every check on real devices, models, espeak-ng and SQLite.

The audio device is the private PulseAudio server of `pulse_fixtures`: noise played
into its `room` sink is what the microphone check hears through the "pulse" device.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import wave
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from pulse_fixtures import PulseServer

from voiceback.config import REPO_ROOT, Settings
from voiceback.doctor import (
    HELP_SENTENCE,
    CheckResult,
    check_database,
    check_intent_model,
    check_microphone,
    check_recognizer,
    run_checks,
    spoken_problems,
)

NAMES = [
    "config",
    "microphone",
    "speaker",
    "speech synthesis",
    "intent model",
    "speech recognizer",
    "database",
]


@pytest.fixture(scope="module")
def noise_wav(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """30 s of quiet pink-ish noise (-30 dBFS), a stand-in for a live room."""
    rng = np.random.default_rng(5)
    white = rng.normal(0.0, 1.0, 30 * 16_000)
    noise = np.cumsum(white) * 0.02 + white  # more low end than white noise
    noise -= np.convolve(noise, np.ones(400) / 400, mode="same")  # no drift
    noise *= 10 ** (-30 / 20) / np.sqrt(np.mean(noise**2))
    path = tmp_path_factory.mktemp("doctor") / "room-noise.wav"
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(16_000)
        wav.writeframes((np.clip(noise, -1, 1) * 32767).astype("<i2").tobytes())
    return path


@pytest.fixture
def room_noise(pulse: PulseServer, noise_wav: Path) -> Iterator[None]:
    """Noise playing into the room while the test runs."""
    player = pulse.play(noise_wav)
    try:
        yield
    finally:
        player.terminate()
        player.wait(timeout=10)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        input_device="pulse",
        output_device="pulse",
        models_dir=REPO_ROOT / "models",
        data_dir=tmp_path / "data",
    )


def by_name(results: list[CheckResult]) -> dict[str, CheckResult]:
    return {r.name: r for r in results}


@pytest.mark.usefixtures("room_noise")
def test_everything_passes_on_a_working_device(settings: Settings) -> None:
    results = run_checks(settings)
    assert [r.name for r in results] == NAMES
    assert all(r.ok for r in results), [r for r in results if not r.ok]
    mic = by_name(results)["microphone"]
    level = int(mic.message.split("input level ")[1].split()[0])
    assert -45 <= level <= -25, mic.message  # the -30 dBFS noise played into the room
    assert spoken_problems(results) == []
    assert settings.database.is_file()


def test_a_silent_microphone_fails_as_muted(pulse: PulseServer, settings: Settings) -> None:
    pulse.pactl("set-source-mute", "room.monitor", "1")
    try:
        result = check_microphone(settings)
    finally:
        pulse.pactl("set-source-mute", "room.monitor", "0")
    assert not result.ok
    assert "silence" in result.message
    assert "muted" in result.spoken


@pytest.mark.usefixtures("pulse")
def test_a_bad_input_device_fails_the_microphone_check(settings: Settings) -> None:
    result = check_microphone(replace(settings, input_device="no such microphone"))
    assert not result.ok
    assert "no input device matches 'no such microphone'" in result.message
    assert "listening.input_device" in result.fix
    assert spoken_problems([result]) == ["I can't hear the microphone.", HELP_SENTENCE]


@pytest.mark.usefixtures("pulse")
def test_a_bad_output_device_fails_the_speaker_check(settings: Settings) -> None:
    results = by_name(run_checks(replace(settings, output_device="no such speaker")))
    assert not results["speaker"].ok
    assert "no such speaker" in results["speaker"].message
    assert "speech.output_device" in results["speaker"].fix


def test_empty_models_folder_fails_the_model_checks_naming_the_fix(
    settings: Settings, tmp_path: Path
) -> None:
    empty = tmp_path / "models"
    empty.mkdir()
    empty_settings = replace(settings, models_dir=empty)
    for result in (check_intent_model(empty_settings), check_recognizer(empty_settings)):
        assert not result.ok, result
        assert str(empty) in result.message
        assert "voiceback train" in result.fix
        assert result.spoken


def test_a_damaged_intent_model_fails_the_check(settings: Settings, tmp_path: Path) -> None:
    damaged = tmp_path / "models" / "intent"
    damaged.mkdir(parents=True)
    (damaged / "config.cfg").write_text("[nlp]\nlang = \n")
    result = check_intent_model(replace(settings, models_dir=tmp_path / "models"))
    assert not result.ok
    assert "could not be loaded" in result.message
    assert "voiceback train" in result.fix


def test_a_data_folder_that_is_a_file_fails_the_database_check(
    settings: Settings, tmp_path: Path
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the data folder should be\n")
    result = check_database(replace(settings, data_dir=blocker / "data"))
    assert not result.ok
    assert "can't be written" in result.message
    assert "paths.data" in result.fix


UNPRIVILEGED_CHECK = """
import json, sys
from pathlib import Path
from voiceback.config import Settings
from voiceback.doctor import check_database
result = check_database(Settings(data_dir=Path(sys.argv[1])))
print(json.dumps([result.ok, result.message]))
"""


@pytest.fixture
def shared_dir() -> Iterator[Path]:
    """A folder any user can reach (pytest's tmp_path is private to root)."""
    folder = Path(tempfile.mkdtemp(prefix="voiceback-doctor-"))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        shutil.rmtree(folder)


def test_an_unwritable_data_folder_fails_the_database_check(shared_dir: Path) -> None:
    """As on the kiosk: the service user (here `nobody`) can't write a root-owned folder.
    Root ignores file modes, so the check runs in a child process that drops to nobody."""
    data = shared_dir / "data"
    data.mkdir()
    data.chmod(0o555)

    def check_as_nobody() -> tuple[bool, str]:
        drop = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
        as_nobody = drop if os.geteuid() == 0 else []
        done = subprocess.run(
            [*as_nobody, sys.executable, "-c", UNPRIVILEGED_CHECK, str(data)],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
            cwd="/",
            env={**os.environ, "HOME": str(shared_dir)},
        )
        ok, message = json.loads(done.stdout)
        return bool(ok), str(message)

    ok, message = check_as_nobody()
    assert not ok
    assert f"{data / 'voiceback.db'}: cannot open the database" in message
    data.chmod(0o777)  # now `nobody` may write there: the same check passes
    assert check_as_nobody() == (True, f"{data / 'voiceback.db'} is writable")


def run_cli(config: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "voiceback.cli", "--config", str(config), "doctor", "--json"],
        capture_output=True,
        text=True,
        timeout=180,
        env=env,
        check=False,
    )


@pytest.mark.usefixtures("room_noise")
def test_cli_exit_status_and_json(pulse: PulseServer, tmp_path: Path) -> None:
    good = tmp_path / "good.toml"
    good.write_text(
        '[listening]\ninput_device = "pulse"\n[speech]\noutput_device = "pulse"\n'
        f'[paths]\ndata = "{tmp_path / "data"}"\nmodels = "{REPO_ROOT / "models"}"\n'
    )
    done = run_cli(good, pulse.env())
    report = json.loads(done.stdout)
    assert done.returncode == 0, done.stdout + done.stderr
    assert report["ok"] is True
    assert [c["name"] for c in report["checks"]] == NAMES
    assert str(good) in report["checks"][0]["message"]

    (tmp_path / "empty").mkdir()
    bad = tmp_path / "bad.toml"
    bad.write_text(good.read_text().replace(str(REPO_ROOT / "models"), str(tmp_path / "empty")))
    done = run_cli(bad, pulse.env())
    report = json.loads(done.stdout)
    assert done.returncode == 1
    failed = {c["name"]: c for c in report["checks"] if not c["ok"]}
    assert set(failed) == {"intent model", "speech recognizer"}
    assert "voiceback train" in failed["intent model"]["fix"]


def test_cli_text_output_says_what_to_fix(pulse: PulseServer, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        '[listening]\ninput_device = "no such microphone"\n'
        f'[paths]\ndata = "{tmp_path / "data"}"\nmodels = "{REPO_ROOT / "models"}"\n'
    )
    done = subprocess.run(
        [sys.executable, "-m", "voiceback.cli", "--config", str(config), "doctor"],
        capture_output=True,
        text=True,
        timeout=180,
        env=pulse.env(),
        check=False,
    )
    assert done.returncode == 1
    assert "FAIL  microphone" in done.stdout
    assert "To fix:" in done.stdout
    assert "listening.input_device" in done.stdout.split("To fix:")[1]
