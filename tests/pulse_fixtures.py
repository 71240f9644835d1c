"""A real audio device for tests: a private PulseAudio server with a null sink `room`.

What is played into `room` (`PulseServer.play`) comes back out of its monitor, which
is the server's default source, so sounddevice's ALSA device "pulse" (libasound2-plugins)
records it. Each server runs in its own runtime directory and the test process is
pointed at it through PULSE_SERVER, so it neither needs nor disturbs any other sound
server on the machine. Runs as root without --system (checked on Debian 12, PA 16.1).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

_TOOLS = ("pulseaudio", "pactl", "paplay")
_INSTALL = "apt-get install pulseaudio pulseaudio-utils libasound2-plugins"
SINK = "room"
_PR_SET_PDEATHSIG = 1


@dataclass(frozen=True)
class PulseServer:
    """A running private PulseAudio server."""

    process: subprocess.Popen[bytes]
    runtime_dir: Path
    log: Path

    @property
    def address(self) -> str:
        return f"unix:{self.runtime_dir / 'native'}"

    def env(self) -> dict[str, str]:
        return {**os.environ, "PULSE_SERVER": self.address}

    def pactl(self, *args: str) -> str:
        done = subprocess.run(
            ["pactl", "--server", self.address, *args],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
        if done.returncode:
            raise RuntimeError(f"pactl {' '.join(args)} failed: {done.stderr.strip()}")
        return done.stdout

    def play(self, wav: Path) -> subprocess.Popen[bytes]:
        """Start playing a WAV into the `room` sink; returns the paplay process."""
        cmd = ["paplay", "--server", self.address, f"--device={SINK}", str(wav)]
        return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def play_silence(self) -> subprocess.Popen[bytes]:
        """Keep digital silence playing into the room, at 20 ms latency, as a real
        microphone delivers audio all the time (an idle null sink's monitor comes in 2 s
        blocks). Terminate the process to stop."""
        cmd = ["pacat", f"--server={self.address}", f"--device={SINK}", "--format=s16le",
               "--rate=16000", "--channels=1", "--latency-msec=20", "/dev/zero"]  # fmt: skip
        return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    @contextlib.contextmanager
    def recording(self, path: Path, rate_hz: int) -> Iterator[Path]:
        """Record the room (the sink's monitor), raw mono s16le at `rate_hz`, into `path`
        while the block runs."""
        cmd = ["parec", "--server", self.address, f"--device={SINK}.monitor", "--format=s16le",
               f"--rate={rate_hz}", "--channels=1", "--raw", str(path)]  # fmt: skip
        record = subprocess.Popen(cmd, stderr=subprocess.PIPE)
        try:
            yield path
        finally:
            record.terminate()
            record.wait(timeout=10)

    def kill(self) -> None:
        """Kill the server abruptly (as a crash or an unplugged device would)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()


def start_pulse(runtime_dir: Path) -> PulseServer:
    """Start a PulseAudio server with a null sink `room` whose monitor is the default source.

    Fails the test (never skips) when PulseAudio is not installed or won't start.
    """
    missing = [tool for tool in _TOOLS if shutil.which(tool) is None]
    if missing:
        pytest.fail(f"{', '.join(missing)} not installed; the audio tests need: {_INSTALL}")
    runtime_dir.mkdir(parents=True, exist_ok=True)
    log = runtime_dir / "pulseaudio.log"
    env = {
        **os.environ,
        "PULSE_RUNTIME_PATH": str(runtime_dir),
        "PULSE_STATE_PATH": str(runtime_dir),
    }
    cmd = [
        "pulseaudio",
        "-n",
        "--daemonize=no",
        "--exit-idle-time=-1",
        "--use-pid-file=no",
        "--log-target=stderr",
        "--load=module-native-protocol-unix",
        f"--load=module-null-sink sink_name={SINK}",
    ]
    with log.open("wb") as log_file:
        process = subprocess.Popen(
            cmd, env=env, stdout=log_file, stderr=subprocess.STDOUT, preexec_fn=_die_with_parent
        )
    server = PulseServer(process, runtime_dir, log)
    _wait_ready(server)
    server.pactl("set-default-source", f"{SINK}.monitor")
    return server


def _die_with_parent() -> None:
    """In the child: get SIGTERM when the test process dies, so no server outlives it."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def _wait_ready(server: PulseServer, timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            pytest.fail(f"pulseaudio exited at start:\n{server.log.read_text()[-2000:]}")
        try:
            server.pactl("info")
            return
        except RuntimeError:
            time.sleep(0.1)
    server.stop()
    pytest.fail(f"pulseaudio did not answer within {timeout_s:.0f} s:\n{server.log.read_text()}")


def use_server(server: PulseServer) -> None:
    """Point this process's PortAudio/ALSA at `server` and make PortAudio re-list devices."""
    from voiceback.audio import list_devices, rescan

    os.environ["PULSE_SERVER"] = server.address
    rescan()
    if not any(d.name == "pulse" and d.inputs for d in list_devices()):
        pytest.fail(f"sounddevice lists no 'pulse' input device; missing plugins? {_INSTALL}")


@pytest.fixture(scope="session")
def pulse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PulseServer]:
    """A private PulseAudio server for the session; sounddevice device "pulse" records `room`."""
    server = start_pulse(tmp_path_factory.mktemp("pulse"))
    previous = os.environ.get("PULSE_SERVER")
    try:
        use_server(server)
        yield server
    finally:
        server.stop()
        if previous is None:
            os.environ.pop("PULSE_SERVER", None)
        else:
            os.environ["PULSE_SERVER"] = previous
