"""Privacy: no audio on disk, no transcripts in the log, nothing listening on the network,
unless [debug] says otherwise.

`voiceback run` runs as under systemd: stdout and stderr go to one stream announced in
JOURNAL_STREAM, so its log is what journald would keep. A request is played into the
private PulseAudio server's room and answered; meanwhile its sockets are read from
/proc.
"""

from __future__ import annotations

import ipaddress
import os
import subprocess
import sys
import wave
from pathlib import Path

import pytest
from process_lines import Lines
from pulse_fixtures import PulseServer
from test_faults import ask_heat_or_ice, voiceback, write_config

from voiceback.config import load_settings
from voiceback.types import ConfigError

TCP_LISTEN = "0A"


def _address(hex_address: str) -> str:
    """An address of /proc/net/{tcp,udp}[6]: 32-bit words in host (little-endian) order."""
    raw = bytes.fromhex(hex_address)
    words = b"".join(raw[i : i + 4][::-1] for i in range(0, len(raw), 4))
    return str(ipaddress.ip_address(words))


def network_listeners(pid: int) -> list[tuple[str, str, int]]:
    """(protocol, address, port) of each TCP socket in LISTEN and each unconnected bound
    UDP socket that process `pid` holds."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue  # closed meanwhile
        if target.startswith("socket:["):
            inodes.add(target[len("socket:[") : -1])
    found = []
    for proto in ("tcp", "tcp6", "udp", "udp6"):
        for line in Path(f"/proc/{pid}/net/{proto}").read_text().splitlines()[1:]:
            fields = line.split()
            local, remote, state, inode = fields[1], fields[2], fields[3], fields[9]
            if inode not in inodes:
                continue
            if proto.startswith("tcp") and state != TCP_LISTEN:
                continue
            if proto.startswith("udp") and int(remote.split(":")[1], 16) != 0:
                continue  # connected to somewhere: a client, not a listener
            address, port = local.split(":")
            found.append((proto, _address(address), int(port, 16)))
    return found


def exposed(listeners: list[tuple[str, str, int]]) -> list[tuple[str, str, int]]:
    """Those reachable from another machine (not on the loopback interface)."""
    return [entry for entry in listeners if not ipaddress.ip_address(entry[1]).is_loopback]


LISTENER = """
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.bind((sys.argv[1], 0))
s.listen()
print(s.getsockname()[1], flush=True)
time.sleep(60)
"""


@pytest.mark.parametrize(("host", "reachable"), [("0.0.0.0", True), ("127.0.0.1", False)])
def test_the_socket_check_finds_a_listener(host: str, reachable: bool) -> None:
    """The check itself: a server on all interfaces is found, one on 127.0.0.1 allowed."""
    server = subprocess.Popen([sys.executable, "-c", LISTENER, host], stdout=subprocess.PIPE)
    try:
        assert server.stdout is not None
        port = int(server.stdout.readline())
        listeners = network_listeners(server.pid)
        assert ("tcp", host, port) in listeners
        assert bool(exposed(listeners)) is reachable
    finally:
        server.kill()
        server.wait()


def files_with_audio(folder: Path) -> list[Path]:
    """Every file under `folder` that holds audio (WAV, or raw PCM left by name)."""
    found = []
    for path in folder.rglob("*"):
        if not path.is_file():
            continue
        with path.open("rb") as raw:
            head = raw.read(12)
        if head[:4] == b"RIFF" or path.suffix in (".wav", ".pcm", ".raw"):
            found.append(path)
    return found


def log_lines(output: Lines) -> list[str]:
    """voiceback's own log lines (C libraries print to stderr too: "ALSA lib ...")."""
    return [line for line in output.seen if line.startswith("<") and "logger=" in line]


def test_by_default_no_audio_no_transcripts_no_network(pulse: PulseServer, tmp_path: Path) -> None:
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    config = write_config(tmp_path)
    env = {"TMPDIR": str(tmp)}
    with voiceback(pulse.address, config, env=env, journal=True) as output:
        ask_heat_or_ice_quietly(pulse, output)
        assert output.process is not None
        listeners = network_listeners(output.process.pid)
        assert exposed(listeners) == [], listeners
    assert not any(line.startswith("you> ") for line in output.seen), output.tail()
    lines = log_lines(output)
    assert lines, output.tail()
    assert not [line for line in lines if "logger=transcripts" in line or "barge_in" in line]
    heard = next(line for line in lines if "msg=utterance" in line)
    assert "words=" in heard and "should" not in heard
    # journald adds the time: no timestamps, a syslog priority on each line
    assert all(" ts=" not in line and line[:3] in ("<3>", "<4>", "<6>") for line in lines)
    turn = next(line for line in lines if "msg=turn" in line)
    for stage in ("listen_ms=", "stt_ms=", "nlu_ms=", "dialog_ms=", "tts_ms="):
        assert stage in turn, turn
    assert files_with_audio(tmp_path) == []
    assert not (tmp_path / "data" / "recordings").exists()


def ask_heat_or_ice_quietly(pulse: PulseServer, output: Lines) -> None:
    """The request, answered (the `you>` line is held back under journald)."""
    from audio_synth import speech

    pulse.play(speech("hey coach | should i put ice or heat on it", pause_s=0.3).path).wait(30)
    reply = output.wait_for("voiceback> ", 30)
    assert reply is not None and ("ice" in reply.lower() or "heat" in reply.lower()), output.tail()
    assert output.wait_for("msg=turn ", 60), output.tail()


def test_debug_switches_keep_recordings_and_log_transcripts(
    pulse: PulseServer, tmp_path: Path
) -> None:
    config = write_config(tmp_path, "[debug]\nrecord_audio = true\nlog_transcripts = true\n")
    with voiceback(pulse.address, config, journal=True) as output:
        ask_heat_or_ice(pulse, output)  # the `you>` line is shown now
    lines = log_lines(output)
    transcript = next(line for line in lines if "logger=transcripts" in line)
    assert "ice" in transcript or "heat" in transcript, transcript
    recordings = sorted((tmp_path / "data" / "recordings").glob("*.wav"))
    assert recordings, output.tail()
    longest = 0.0
    for path in recordings:
        with wave.open(str(path), "rb") as wav:
            assert (wav.getframerate(), wav.getnchannels(), wav.getsampwidth()) == (16_000, 1, 2)
            longest = max(longest, wav.getnframes() / 16_000)
    assert longest > 1.5  # "hey coach, should I put ice or heat on it", whole
    assert files_with_audio(tmp_path) == recordings


def test_debug_keys_are_validated(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[debug]\nrecord_audio = "yes"\n')
    with pytest.raises(ConfigError, match=r"debug\.record_audio must be true or false"):
        load_settings(config)
    config.write_text("[debug]\nrecord_everything = true\n")
    with pytest.raises(ConfigError, match=r"unknown key debug\.record_everything"):
        load_settings(config)
    config.write_text("[debug]\nlog_transcripts = true\n")
    settings = load_settings(config)
    assert settings.log_transcripts and not settings.record_audio


def test_the_documented_config_keeps_privacy_on() -> None:
    from voiceback.config import REPO_ROOT

    settings = load_settings(REPO_ROOT / "deploy" / "config.toml")
    assert (settings.record_audio, settings.log_transcripts) == (False, False)
