"""Faults survived, nothing lost: each fault is caused for real.

The audio tests run `voiceback run` in a subprocess on a private PulseAudio server
(tests/pulse_fixtures.py) and read its stdout and log lines: the server is killed under
the running loop and started again on the same address, the sink is unloaded and
loaded again, SIGTERM arrives while it speaks. Speech synthesis is broken for real
(a pyttsx3 that can't be imported, no espeak-ng on PATH), the database is overwritten
with garbage or truncated, and a process writing to it is SIGKILLed.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import logging
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import wave
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest
from audio_synth import speech
from process_lines import Lines
from pulse_fixtures import SINK, PulseServer, start_pulse

from voiceback.audio import WavSource
from voiceback.config import REPO_ROOT
from voiceback.hands_free import MIC_BACK, MIC_LOST
from voiceback.store import Store
from voiceback.tts_fallback import EspeakCommandSynthesizer, FallbackSynthesizer
from voiceback.types import AudioChunk, Event, EventKind, SpeechError, StoreError

# --- running `voiceback run` -------------------------------------------------------


def write_config(tmp_path: Path, extra: str = "") -> Path:
    data = tmp_path / "data"
    config = tmp_path / "config.toml"
    config.write_text(
        '[listening]\ninput_device = "pulse"\nmode = "wake"\nfollow_up_s = 3.0\n'
        '[speech]\noutput_device = "pulse"\n'
        f'[paths]\ndata = "{data}"\nmodels = "{REPO_ROOT / "models"}"\n{extra}'
    )
    return config


@contextlib.contextmanager
def voiceback(
    address: str,
    config: Path,
    command: str = "run",
    env: dict[str, str] | None = None,
    listening: bool = True,
    journal: bool = False,
) -> Iterator[Lines]:
    """`voiceback --verbose <command>` on the PulseAudio server at `address`, stdout and
    stderr on one pipe (with `journal`, announced in JOURNAL_STREAM as systemd does for
    journald's stream); at the end SIGTERM, and its exit status must be 0."""
    environment = {
        **os.environ,
        "PULSE_SERVER": address,
        "VOICEBACK_CONFIG": str(config),
        "PYTHONUNBUFFERED": "1",
        **(env or {}),
    }
    environment.pop("JOURNAL_STREAM", None)
    read_fd, write_fd = os.pipe()
    if journal:
        info = os.fstat(write_fd)
        environment["JOURNAL_STREAM"] = f"{info.st_dev}:{info.st_ino}"
    process = subprocess.Popen(
        [sys.executable, "-m", "voiceback.cli", "--verbose", command],
        cwd=REPO_ROOT,
        env=environment,
        stdin=subprocess.DEVNULL,
        stdout=write_fd,
        stderr=subprocess.STDOUT,
        text=True,
    )
    os.close(write_fd)
    output = Lines(os.fdopen(read_fd, encoding="utf-8", errors="replace"), process)
    try:
        assert output.wait_for("voiceback is listening", 60), output.tail()
        if listening:
            time.sleep(3.0)  # the microphone takes ~2 s to deliver its first audio
        yield output
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGUSR1)  # every thread's stack, into the output
            time.sleep(1.0)
            process.kill()
            process.wait()
    output.drain(2.0)  # the lines nobody waited for, for the message below
    assert process.returncode == 0, output.tail()


def ask_aloud(server: PulseServer, output: Lines, request: str) -> tuple[str, str]:
    """Play "hey coach | <request>" into the room; the `you>` line and the reply line,
    once the reply has been spoken to the end (its "turn" log line)."""
    server.play(speech(f"hey coach | {request}", pause_s=0.3).path).wait(timeout=30)
    heard = output.wait_for("you> ", 30)
    assert heard is not None, output.tail()
    reply = output.wait_for("voiceback> ", 10)
    assert reply is not None, output.tail()
    assert output.wait_for("msg=turn ", 60), output.tail()
    return heard, reply


def assert_said_aloud(output: Lines, sentence: str) -> None:
    """`sentence` is shown, then played on the speaker without a failure."""
    assert output.wait_for(f"voiceback> {sentence}", 90), output.tail()
    shown_at = len(output.seen)
    assert output.wait_for("msg=said", 30), output.tail()
    assert not any("speaking failed" in line for line in output.seen[shown_at:]), output.tail()
    time.sleep(1.0)  # what it heard meanwhile was dropped; now it listens


def ask_heat_or_ice(server: PulseServer, output: Lines) -> None:
    heard, reply = ask_aloud(server, output, "should i put ice or heat on it")
    assert "ice" in heard or "heat" in heard, heard
    assert "ice" in reply.lower() or "heat" in reply.lower(), reply


# --- the audio server and the sink ----------------------------------------------------


def test_the_audio_server_killed_and_started_again(tmp_path: Path) -> None:
    runtime = tmp_path / "pulse"
    server = start_pulse(runtime)
    try:
        with voiceback(server.address, write_config(tmp_path)) as output:
            server.kill()
            assert output.wait_for(f"voiceback> {MIC_LOST}", 30), output.tail()
            # it keeps trying with backoff while there is no server at all
            assert output.wait_for("microphone still gone", 30), output.tail()
            server = start_pulse(runtime)  # a new server on the same address
            assert_said_aloud(output, MIC_BACK)
            ask_heat_or_ice(server, output)
        retries = [line for line in output.seen if "microphone still gone" in line]
        assert retries, output.tail()
        assert all("next_s=" in line for line in retries)
    finally:
        server.stop()


def test_a_screen_button_is_answered_while_the_microphone_is_gone(tmp_path: Path) -> None:
    """The loop keeps saying what comes due while it waits to retry the microphone: here
    the kiosk screen's Breathe button, pressed with no sound server at all."""
    port = 18765
    server = start_pulse(tmp_path / "pulse")
    config = write_config(tmp_path, f"[screen]\nenabled = true\nport = {port}\n")
    try:
        with voiceback(server.address, config) as output:
            server.kill()
            assert output.wait_for(f"voiceback> {MIC_LOST}", 30), output.tail()
            body = json.dumps({"name": "breathe"}).encode()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            try:
                conn.request("POST", "/button", body, {"Content-Type": "application/json"})
                assert conn.getresponse().status in (200, 202, 204)
            finally:
                conn.close()
            reply = output.wait_for("voiceback> ", 45)
            assert reply is not None and "breath" in reply.lower(), output.tail()
    finally:
        server.stop()


def test_the_sink_unloaded_and_loaded_again(tmp_path: Path) -> None:
    server = start_pulse(tmp_path / "pulse")
    try:
        with voiceback(server.address, write_config(tmp_path)) as output:
            module = next(
                line.split()[0]
                for line in server.pactl("list", "short", "modules").splitlines()
                if "module-null-sink" in line
            )
            server.pactl("unload-module", module)
            assert output.wait_for(f"voiceback> {MIC_LOST}", 30), output.tail()
            time.sleep(3.0)
            server.pactl("load-module", "module-null-sink", f"sink_name={SINK}")
            server.pactl("set-default-source", f"{SINK}.monitor")
            assert_said_aloud(output, MIC_BACK)
            ask_heat_or_ice(server, output)
    finally:
        server.stop()


def test_start_without_a_terminal_waits_for_the_microphone(tmp_path: Path) -> None:
    """As under systemd (stdin is /dev/null): no sound server yet is no reason to fall
    back to the text chat and exit; it listens hands-free once the server is up."""
    runtime = tmp_path / "pulse"
    runtime.mkdir()
    address = f"unix:{runtime / 'native'}"
    server: PulseServer | None = None
    try:
        with voiceback(address, write_config(tmp_path), "start", listening=False) as output:
            assert output.wait_for(f"voiceback> {MIC_LOST}", 60), output.tail()
            assert output.process.poll() is None
            server = start_pulse(runtime)
            assert_said_aloud(output, MIC_BACK)
            ask_heat_or_ice(server, output)
        assert not any("text conversation" in line for line in output.seen)
    finally:
        if server is not None:
            server.stop()


# --- SIGTERM while speaking -----------------------------------------------------------


def test_sigterm_while_speaking_ends_the_sentence_and_keeps_everything(
    pulse: PulseServer, tmp_path: Path
) -> None:
    config = write_config(tmp_path)
    with voiceback(pulse.address, config) as output:
        _, logged = ask_aloud(pulse, output, "log my pain as a six")
        assert "6" in logged or "six" in logged, logged
        _, timer = ask_aloud(pulse, output, "set a timer for ten minutes")
        assert "10" in timer or "ten" in timer, timer
        pulse.play(speech("hey coach | should i stay in bed", pause_s=0.3).path).wait(timeout=30)
        reply = output.wait_for("voiceback> ", 30)
        assert reply is not None, output.tail()
        assert reply.count(". ") >= 2, reply  # several sentences: the rest must be dropped
        time.sleep(1.0)  # into its first sentence
        output.process.send_signal(signal.SIGTERM)
        output.process.wait(timeout=30)
    lines = output.drain()
    stops = [line for line in lines if "stopping after this sentence" in line]
    assert len(stops) == 1, "\n".join(lines[-30:])  # one sentence finished, then no more
    assert any("msg=stopped" in line for line in lines)
    store = Store(tmp_path / "data" / "voiceback.db")
    assert [e.level for e in store.pain_log()] == [6]
    assert [t.minutes for t in store.timers()] == [10]
    store.close()


# --- speech synthesis failing -----------------------------------------------------------


@pytest.fixture
def broken_pyttsx3(tmp_path: Path) -> dict[str, str]:
    """PYTHONPATH with a `pyttsx3` package that fails to import, as a broken install would."""
    shadow = tmp_path / "shadow" / "pyttsx3"
    shadow.mkdir(parents=True)
    (shadow / "__init__.py").write_text('raise ImportError("pyttsx3 is broken here")\n')
    return {"PYTHONPATH": str(shadow.parent)}


def cli(args: list[str], env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    config = tmp_path / "config.toml"
    if not config.exists():
        config.write_text(f'[paths]\ndata = "{tmp_path / "data"}"\n')
    return subprocess.run(
        [sys.executable, "-m", "voiceback.cli", "--config", str(config), *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO_ROOT,
        env={**os.environ, **env},
        check=False,
    )


def test_espeak_command_line_speaks() -> None:
    speech_ = EspeakCommandSynthesizer(rate_wpm=150).synthesize("Ice helps in the first days.")
    assert speech_.rate_hz == 22_050
    assert 1.0 < speech_.duration_s < 5.0
    samples = memoryview(speech_.pcm).cast("h")
    assert max(abs(s) for s in samples[::50]) > 1000  # speech, not silence


def test_a_bad_voice_name_falls_back_to_the_default_voice(
    caplog: pytest.LogCaptureFixture,
) -> None:
    synth = EspeakCommandSynthesizer(voice_name="zz-nonexistent")
    with caplog.at_level(logging.WARNING, logger="voiceback.tts_fallback"):
        speech_ = synth.synthesize("Hello there.")
    assert speech_.duration_s > 0.3
    assert "zz-nonexistent" in caplog.text and "default English voice" in caplog.text


def test_the_chain_moves_on_when_a_synthesizer_fails(
    caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    """The first synthesizer really fails: its espeak-ng program exits with an error."""
    failing = tmp_path / "bin" / "espeak-ng"
    failing.parent.mkdir()
    failing.write_text("#!/bin/sh\necho 'espeak-ng: audio device busy' >&2\nexit 3\n")
    failing.chmod(0o755)
    first = EspeakCommandSynthesizer()
    first.program = str(failing)
    chain = FallbackSynthesizer([first, EspeakCommandSynthesizer()])
    with caplog.at_level(logging.WARNING, logger="voiceback.tts_fallback"):
        assert chain.synthesize("One.").duration_s > 0.2
        assert chain.synthesize("Two.").duration_s > 0.2
    assert caplog.text.count("audio device busy") == 1  # warned once, not every sentence
    with pytest.raises(SpeechError, match="every speech synthesizer failed"):
        FallbackSynthesizer([first]).synthesize("Three.")


def test_pyttsx3_failing_falls_back_to_the_espeak_command(
    broken_pyttsx3: dict[str, str], tmp_path: Path
) -> None:
    out = tmp_path / "reply.wav"
    done = cli(
        ["ask", "how should i sit", "--no-speak", "--out", str(out)], broken_pyttsx3, tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert "pyttsx3 is broken here" in done.stderr
    assert "speaking with the espeak-ng command instead" in done.stderr
    with wave.open(str(out), "rb") as wav:
        assert wav.getframerate() == 22_050
        assert wav.getnframes() / wav.getframerate() > 2.0  # the whole reply, spoken


def test_no_synthesizer_at_all_prints_the_reply(
    broken_pyttsx3: dict[str, str], tmp_path: Path
) -> None:
    empty = tmp_path / "empty-path"
    empty.mkdir()
    env = {**broken_pyttsx3, "PATH": str(empty)}  # no espeak-ng command either
    done = cli(["ask", "how should i sit"], env, tmp_path)
    assert done.returncode == 0, done.stderr
    assert "espeak-ng command is not on PATH" in done.stderr
    assert "replies will be shown as text only" in done.stderr
    assert "sit" in done.stdout.lower()  # the answer, printed


def test_startup_check_says_what_is_wrong_and_the_loop_still_answers(
    pulse: PulseServer, tmp_path: Path, broken_pyttsx3: dict[str, str]
) -> None:
    """No voice at all: the start-up check's sentence is printed (it can't be said), and
    requests are still answered in text."""
    empty = tmp_path / "empty-path"
    empty.mkdir()
    env = {**broken_pyttsx3, "PATH": str(empty)}
    with voiceback(pulse.address, write_config(tmp_path), env=env) as output:
        assert any("voiceback> My voice is not working properly." in s for s in output.seen)
        assert any("voiceback doctor" in s for s in output.seen)
        ask_heat_or_ice(pulse, output)


def test_startup_check_speaks_when_the_database_cant_be_written(
    pulse: PulseServer, tmp_path: Path
) -> None:
    """The data folder is a file: nothing can be saved. It says so aloud, on the speaker
    that works, and then listens."""
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where the data folder should be\n")
    config = write_config(tmp_path)
    config.write_text(config.read_text().replace(str(tmp_path / "data"), str(blocker / "data")))
    with voiceback(pulse.address, config, listening=False) as output:
        pass
    told = [line for line in output.seen if line.startswith("voiceback> ")]
    assert told[:2] == [
        "voiceback> I can't save anything, so I won't remember your pain log or settings.",
        "voiceback> Someone can run voiceback doctor to see what to fix.",
    ], output.tail()
    assert any("check=database" in line for line in output.seen)
    assert not any("speaking failed" in line for line in output.seen), output.tail()


# --- the database -------------------------------------------------------------------------


def filled_database(path: Path) -> None:
    store = Store(path)
    for i in range(400):
        store.log_pain(i % 11, at_s=float(i))
        store.add_timer(f"timer {i}", 5, now_s=float(i))
    store.close()  # checkpointed: everything is in the main file


@pytest.mark.parametrize("damage", ["garbage", "truncated"])
def test_a_corrupt_database_is_kept_aside_and_a_fresh_one_started(
    tmp_path: Path, damage: str, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "voiceback.db"
    filled_database(path)
    data = path.read_bytes()
    bad = os.urandom(len(data)) if damage == "garbage" else data[: len(data) // 2]
    path.write_bytes(bad)
    with pytest.raises(StoreError, match="cannot open the database"):
        Store(path)  # without recover, it is an error, and the file is left alone
    assert path.read_bytes() == bad
    with caplog.at_level(logging.WARNING, logger="voiceback.store"):
        store = Store(path, recover=True)
    assert store.moved_aside is not None
    assert store.moved_aside.name.startswith("voiceback.db.corrupt-")
    assert store.moved_aside.read_bytes() == bad  # kept, byte for byte
    assert str(store.moved_aside) in caplog.text
    assert store.pain_log() == []
    store.log_pain(3, at_s=1.0)
    store.close()
    again = Store(path)
    assert [(e.at_s, e.level) for e in again.pain_log()] == [(1.0, 3)]
    assert again.moved_aside is None


def test_the_assistant_starts_over_a_corrupt_database(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "voiceback.db").write_bytes(b"\x00garbage that is no database" * 300)
    done = cli(["ask", "log my pain as a six", "--no-speak"], {}, tmp_path)
    assert done.returncode == 0, done.stderr
    assert "logged your pain as 6" in done.stdout
    warning = next(line for line in done.stderr.splitlines() if "database damaged" in line)
    assert "level=warning" in warning and "moved_to=" in warning
    assert len(list(data.glob("voiceback.db.corrupt-*"))) == 1
    store = Store(data / "voiceback.db")
    assert [e.level for e in store.pain_log()] == [6]
    store.close()


WRITER = """
import sys
from pathlib import Path
from voiceback.store import Store
store = Store(Path(sys.argv[1]), recover=True)
start = int(sys.argv[2])
for i in range(start, start + 100_000):
    store.log_pain(i % 11, at_s=float(i))
    store.add_timer(f"timer {i}", 1 + i % 50, now_s=float(i))
    print(i, flush=True)
"""
ROUND = 1_000_000


def test_killed_mid_write_loses_nothing_committed(tmp_path: Path) -> None:
    """Three writers in turn, each SIGKILLed while writing; each printed an entry's
    number only once both its rows were committed."""
    path = tmp_path / "voiceback.db"
    expected: list[int] = []
    for start in (0, ROUND, 2 * ROUND):
        writer = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(path), str(start)],
            cwd=REPO_ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert writer.stdout is not None
        for line in writer.stdout:
            expected.append(int(line))
            if int(line) >= start + 300:
                break
        writer.send_signal(signal.SIGKILL)  # it was writing the next entry by now
        writer.wait(timeout=10)
        assert writer.returncode == -signal.SIGKILL
        # What it printed between the line read last and the kill was committed too.
        expected.extend(int(line) for line in writer.stdout)
    raw = sqlite3.connect(path)
    assert raw.execute("PRAGMA quick_check").fetchall() == [("ok",)]
    raw.close()
    store = Store(path, recover=True)
    assert store.moved_aside is None
    pain = [int(e.at_s) for e in store.pain_log()]
    timers = sorted(int(t.due_s) - t.minutes * 60 for t in store.timers())
    for found in (pain, timers):
        assert set(expected) <= set(found)  # every committed entry is there
        assert len(found) == len(set(found)) <= len(expected) + 3  # + one in flight per kill
    store.close()


# --- one bad turn -------------------------------------------------------------------------


class Room:
    """What a microphone would deliver: room tone, then each WAV, each followed by room
    tone; `before(i)` runs before the i-th WAV, `stop` is set at the end."""

    def __init__(
        self, wavs: list[Path], before: Callable[[int], None], stop: threading.Event
    ) -> None:
        self.wavs, self.before, self.stop = wavs, before, stop
        self.device = "room"  # "open" already
        self._rng = np.random.default_rng(1)

    def _tone(self, seconds: float) -> Iterator[AudioChunk]:
        for _ in range(int(seconds / 0.03)):
            noise = self._rng.normal(0, 32768 * 10 ** (-60 / 20), 480)
            yield AudioChunk(noise.astype("<i2").tobytes())

    def __iter__(self) -> Iterator[AudioChunk]:
        yield from self._tone(1.0)
        for i, wav in enumerate(self.wavs):
            self.before(i)
            with WavSource(wav) as source:
                for chunk in source:
                    noise = self._rng.normal(0, 32768 * 10 ** (-60 / 20), len(chunk.pcm) // 2)
                    mixed = np.frombuffer(chunk.pcm, "<i2") + noise.astype("<i2")
                    yield AudioChunk(mixed.astype("<i2").tobytes())
            yield from self._tone(2.5)
        self.stop.set()

    def open(self) -> None: ...
    def reopen(self) -> None: ...
    def close(self) -> None: ...
    def flush(self) -> None: ...


def test_a_recognizer_failure_ends_one_turn_not_the_loop(tmp_path: Path, model_dir: Path) -> None:
    """The real pocketsphinx decoder fails for a whole utterance (an utterance was started
    behind the recognizer's back, so its own start fails); the next one is answered."""
    from voiceback.audio import Endpointer
    from voiceback.commands import build_assistant
    from voiceback.config import Settings
    from voiceback.hands_free import Gate, HandsFree
    from voiceback.listening import Listener, complete_request
    from voiceback.stt import make_recognizer

    settings = Settings(speak=False, data_dir=tmp_path, models_dir=model_dir.parent)
    assistant = build_assistant(settings, speak=False, allow_timers=True)
    events: list[Event] = []
    assistant.on_event = events.append
    recognizer = make_recognizer("pocketsphinx", settings.models_dir)
    decoder = recognizer._decoder  # type: ignore[attr-defined]

    def fault(i: int) -> None:
        if i == 0:
            decoder.start_utt()  # the first request's turn will fail
        else:
            decoder.end_utt()  # the fault is over

    stop = threading.Event()
    wavs = [
        speech("hey coach | how should i sit", pause_s=0.3).path,
        speech("hey coach | should i put ice or heat on it", pause_s=0.3).path,
    ]
    shown: list[str] = []
    loop = HandsFree(
        Room(wavs, fault, stop),  # type: ignore[arg-type]
        Listener(Endpointer(), recognizer, is_complete=complete_request(assistant.nlu.understand)),
        assistant,
        Gate("wake", "hey coach", follow_up_s=0.0),
        chime=lambda: None,
        show=shown.append,
    )
    loop.run(stop)  # returns only when the room has played everything
    failures = [e for e in events if e.kind == EventKind.ERROR]
    assert failures and all(e.data["code"] == "recognizer" for e in failures), failures
    heard = [line for line in shown if line.startswith("you> ")]
    assert len(heard) == 1 and "ice" in heard[0], shown  # the first was lost, the second not
    assert any(line.startswith("voiceback> ") for line in shown[shown.index(heard[0]) :])
