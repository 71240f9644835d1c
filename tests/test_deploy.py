"""deploy/: the systemd unit (checked by systemd itself) and the Raspberry Pi installer.

`systemd-analyze verify` needs ExecStart's program to exist, so the shipped unit is
verified with its install prefix (/opt/voiceback/.venv) replaced by this test's
virtualenv; that line is the only difference. The installer runs with --dry-run (it
would otherwise add a user and a service) and through shellcheck.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from voiceback.config import REPO_ROOT

UNIT = REPO_ROOT / "deploy" / "voiceback.service"
INSTALLER = REPO_ROOT / "deploy" / "install-pi.sh"
SHIPPED_EXEC = "/opt/voiceback/.venv/bin/voiceback"
TEST_EXEC = Path(sys.prefix) / "bin" / "voiceback"


def tool(name: str, package: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is not installed: apt-get install {package}")
    return path


def render_unit(folder: Path, text: str | None = None) -> Path:
    """The shipped unit with this virtualenv's voiceback in ExecStart."""
    shipped = UNIT.read_text(encoding="utf-8")
    rendered = (text or shipped).replace(SHIPPED_EXEC, str(TEST_EXEC))
    path = folder / "voiceback.service"
    path.write_text(rendered, encoding="utf-8")
    return path


def verify(unit: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [tool("systemd-analyze", "systemd"), "verify", str(unit)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_shipped_unit_differs_from_the_verified_one_only_in_the_prefix(tmp_path: Path) -> None:
    shipped = UNIT.read_text(encoding="utf-8").splitlines()
    rendered = render_unit(tmp_path).read_text(encoding="utf-8").splitlines()
    changed = [(a, b) for a, b in zip(shipped, rendered, strict=True) if a != b]
    assert changed == [
        (
            f"ExecStart={SHIPPED_EXEC} --config /etc/voiceback/config.toml start",
            f"ExecStart={TEST_EXEC} --config /etc/voiceback/config.toml start",
        )
    ]
    assert TEST_EXEC.is_file()


def test_systemd_analyze_verify_passes_without_a_warning(tmp_path: Path) -> None:
    done = verify(render_unit(tmp_path))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "" and done.stderr.strip() == "", done.stdout + done.stderr


def test_systemd_analyze_verify_catches_mistakes(tmp_path: Path) -> None:
    """The check above could fail: a missing program and a bad value are both caught."""
    missing = tmp_path / "missing"
    missing.mkdir()
    (missing / "voiceback.service").write_text(UNIT.read_text(encoding="utf-8"))
    done = verify(missing / "voiceback.service")
    assert done.returncode != 0
    assert SHIPPED_EXEC in done.stderr

    bad = tmp_path / "bad"
    bad.mkdir()
    text = UNIT.read_text(encoding="utf-8").replace("Restart=on-failure", "Restart=sometimes")
    done = verify(render_unit(bad, text))
    assert "restart specifier, ignoring: sometimes" in done.stderr  # a warning: see above


def security(unit: Path) -> str:
    done = subprocess.run(
        [tool("systemd-analyze", "systemd"), "security", "--offline=true", str(unit)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert "Overall exposure level" in done.stdout, done.stdout + done.stderr
    return done.stdout


def test_sandbox_is_tight_by_systemds_own_measure(tmp_path: Path) -> None:
    report = security(render_unit(tmp_path))
    exposure = float(re.search(r"Overall exposure level for \S+: ([\d.]+)", report)[1])  # type: ignore[index]
    assert exposure <= 2.0, report
    passed = {line.split()[1] for line in report.splitlines() if line.startswith("✓")}
    for must in (
        "User=/DynamicUser=",  # a static non-root user
        "NoNewPrivileges=",
        "ProtectSystem=",
        "ProtectHome=",
        "PrivateTmp=",
    ):
        assert must in passed, report
    # Internet sockets only for the kiosk screen on 127.0.0.1: every other address denied.
    unit = unit_settings()
    assert unit["Service.IPAddressDeny"] == "any"
    assert unit["Service.IPAddressAllow"] == "localhost"
    assert "AF_INET6" not in unit["Service.RestrictAddressFamilies"]


def unit_settings() -> dict[str, str]:
    values: dict[str, str] = {}
    section = ""
    for line in UNIT.read_text(encoding="utf-8").splitlines():
        if line.startswith("["):
            section = line.strip("[]")
        elif "=" in line and not line.startswith("#"):
            key, value = line.split("=", 1)
            values[f"{section}.{key}"] = value
    return values


def test_unit_restarts_limits_and_logs() -> None:
    unit = unit_settings()
    assert unit["Service.User"] == "voiceback"
    assert "audio" in unit["Service.SupplementaryGroups"].split()
    assert unit["Service.Restart"] == "on-failure"
    assert unit["Unit.StartLimitBurst"] and unit["Service.RestartSec"]
    assert unit["Service.MemoryMax"] and unit["Service.CPUQuota"] and unit["Service.TasksMax"]
    assert unit["Service.StandardOutput"] == unit["Service.StandardError"] == "journal"
    assert unit["Service.ReadWritePaths"] == "/var/lib/voiceback"
    assert unit["Install.WantedBy"] == "multi-user.target"
    assert "sound.target" in unit["Unit.After"]


def dry_run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(INSTALLER), "--dry-run", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_installer_dry_run_prints_every_step_and_changes_nothing(tmp_path: Path) -> None:
    prefix, etc = tmp_path / "opt", tmp_path / "etc"
    done = dry_run("--prefix", str(prefix), "--config-dir", str(etc))
    assert done.returncode == 0, done.stderr
    out = done.stdout
    exe = f"{prefix}/.venv/bin/voiceback"
    for step in (
        f"+ /usr/bin/python3 -m venv {prefix}/.venv",
        f"pip install -q -e {prefix}",
        f"+ write {etc}/config.toml (mode 0644)",
        'data = "/var/lib/voiceback"',
        f'models = "{prefix}/models"',
        f"+ {exe} --config {etc}/config.toml train",
        f"+ {exe} --config {etc}/config.toml models download",
        "+ write /etc/systemd/system/voiceback.service",
        f"ExecStart={exe} --config {etc}/config.toml start",
        "+ systemctl enable voiceback.service",
        f"+ runuser -u voiceback -- {exe} --config {etc}/config.toml doctor",
    ):
        assert step in out, (step, out)
    assert "+ useradd --system" in out or "user voiceback exists" in out
    assert not prefix.exists() and not etc.exists()


def test_installer_uses_setup_sh_packages() -> None:
    setup = (REPO_ROOT / "deploy" / "setup.sh").read_text(encoding="utf-8")
    packages = re.search(r"^RUN_PKGS=\((.*)\)$", setup, re.M)[1].split()  # type: ignore[index]
    out = dry_run("--prefix", "/nonexistent/voiceback").stdout
    line = next(x for x in out.splitlines() if "apt" in x)
    named = line.split(":", 2)[-1].split() if "already installed" in line else line.split()
    assert set(named) & set(packages), line
    assert set(named) - set(packages) <= {"+", "env", "DEBIAN_FRONTEND=noninteractive"} | {
        "apt-get",
        "install",
        "-y",
        "-qq",
        "--no-install-recommends",
        "update",
    }, line


def test_installer_keeps_an_existing_config(tmp_path: Path) -> None:
    etc = tmp_path / "etc"
    etc.mkdir()
    mine = '[listening]\ninput_device = "USB"\n'
    (etc / "config.toml").write_text(mine)
    done = dry_run("--prefix", str(tmp_path / "opt"), "--config-dir", str(etc), "--no-vosk")
    assert done.returncode == 0, done.stderr
    assert f"keeping your {etc}/config.toml" in done.stdout
    assert f"write {etc}/config.toml" not in done.stdout
    assert "models download" not in done.stdout
    assert (etc / "config.toml").read_text() == mine


def test_installer_rejects_unknown_options() -> None:
    done = subprocess.run(
        ["bash", str(INSTALLER), "--frobnicate"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 2
    assert "unknown option --frobnicate" in done.stderr


def test_installer_passes_shellcheck() -> None:
    done = subprocess.run(
        [tool("shellcheck", "shellcheck"), "--severity=style", str(INSTALLER)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stdout
