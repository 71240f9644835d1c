"""Does every runtime dependency install on a Raspberry Pi (arm64, Python 3.11) from wheels?

    .venv/bin/python bench/arm64_wheels.py            # direct dependencies, then the full tree
    .venv/bin/python bench/arm64_wheels.py --direct   # direct dependencies only

For each requirement in pyproject.toml's [project] dependencies it asks PyPI, through
`pip download --no-deps --only-binary=:all: --platform manylinux2014_aarch64 --platform
manylinux_2_17_aarch64 --python-version 3.11 --implementation cp`, for a wheel that a
Raspberry Pi OS bookworm arm64 machine can install without compiling; pure-Python
wheels (py3-none-any) count. It asks twice: with exactly those flags, and with every
manylinux tag up to bookworm's glibc 2.36 (`manylinux_2_28` wheels are all that the
newest numpy, spaCy and soxr ship for arm64, and a Pi installs them).

Then it resolves the whole tree (`pip install --dry-run --report`, metadata only; the
tree is the same on arm64) and checks every exact version with the bookworm tags, as
spaCy's own dependencies (thinc, blis, ...) need arm64 wheels too. A package with no
wheel at all is fetched as an sdist and counts when it has no compiled sources (it
builds on the Pi without a compiler). Needs the internet; prints tables; exit status 1
when something would need compiling. The Debian packages (espeak-ng, libportaudio2)
come from apt, which builds them for arm64.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tarfile
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON_311 = ("--only-binary=:all:", "--python-version", "3.11", "--implementation", "cp")
STRICT = (
    *PYTHON_311,
    *("--platform", "manylinux2014_aarch64", "--platform", "manylinux_2_17_aarch64"),
)
"""The flags the issue asked for: wheels for glibc 2.17 and up on arm64."""
BOOKWORM = (
    *STRICT,
    *(arg for v in range(18, 37) for arg in ("--platform", f"manylinux_2_{v}_aarch64")),
)
"""Every manylinux tag Raspberry Pi OS bookworm (glibc 2.36) installs; pip does not
expand `manylinux_2_36` to the older tags itself. Newer numpy/spaCy/soxr releases ship
only manylinux_2_28 wheels for arm64, which the strict flags miss."""
PIP = (sys.executable, "-m", "pip")
REPORT = ("--ignore-installed", "--report", "-", "--target")
COMPILED_SOURCES = (".c", ".cc", ".cpp", ".cxx", ".pyx", ".rs", ".f", ".f90")


@dataclass(frozen=True, slots=True)
class Wheel:
    requirement: str
    wheel: str
    """The wheel file pip picked, or "" when none fits."""
    problem: str = ""

    @property
    def kind(self) -> str:
        if not self.wheel:
            return "NONE"
        return "pure Python" if self.wheel.endswith("-none-any.whl") else "aarch64 binary"

    @property
    def kind_or_sdist(self) -> str:
        return "sdist (pure Python)" if "pure Python" in self.problem else self.kind


def requirements() -> list[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return [str(req) for req in project["dependencies"]]


def check_direct(requirement: str, dest: Path, platform: tuple[str, ...]) -> Wheel:
    before = set(dest.iterdir())
    done = subprocess.run(
        [
            *PIP,
            "download",
            "--no-deps",
            "--quiet",
            "--dest",
            str(dest),
            *platform,
            requirement,
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    new = sorted(p.name for p in set(dest.iterdir()) - before)
    if done.returncode == 0:
        found = new or _already(dest, requirement)
        return Wheel(requirement, found[0] if found else "(downloaded before)")
    return Wheel(requirement, "", done.stderr.strip().splitlines()[-1] if done.stderr else "")


def _already(dest: Path, requirement: str) -> list[str]:
    """The wheel in `dest` for this requirement when an earlier run fetched it already."""
    name = requirement.split(">")[0].split("<")[0].split("=")[0].strip().lower()
    stem = name.replace("-", "_")
    return sorted(p.name for p in dest.iterdir() if p.name.lower().startswith(stem + "-"))


def resolve_tree(reqs: list[str], target: Path) -> tuple[list[str], str]:
    """Every distribution (name==version) pip installs for these requirements, resolved
    for this machine: the tree is the same on arm64 (no platform markers pick other
    packages on Linux). Reads metadata only. Returns the pins, or an error."""
    done = subprocess.run(
        [
            *PIP,
            "install",
            "--dry-run",
            "--quiet",
            "--ignore-installed",
            *REPORT,
            str(target),
            *reqs,
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        return [], done.stderr.strip()
    report = json.loads(done.stdout)
    pins = [f"{i['metadata']['name']}=={i['metadata']['version']}" for i in report["install"]]
    return sorted(pins, key=str.lower), ""


def check_pin(pin: str, target: Path, sdists: Path) -> Wheel:
    """The arm64 wheel for one exact version (metadata only); else whether its sdist
    has any compiled sources (a pure-Python sdist builds on the Pi without a compiler)."""
    done = subprocess.run(
        [
            *PIP,
            "install",
            "--dry-run",
            "--quiet",
            "--no-deps",
            *REPORT,
            str(target),
            *BOOKWORM,
            pin,
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode == 0:
        item = json.loads(done.stdout)["install"][0]
        return Wheel(pin, item["download_info"]["url"].rsplit("/", 1)[-1])
    return Wheel(pin, "", _sdist_kind(pin, sdists))


def _sdist_kind(pin: str, dest: Path) -> str:
    done = subprocess.run(
        [*PIP, "download", "--no-deps", "--quiet", "--no-binary=:all:", "--dest", str(dest), pin],
        capture_output=True,
        text=True,
        check=False,
    )
    archives = [p for p in dest.iterdir() if p.name.lower().startswith(pin.split("==")[0].lower())]
    if done.returncode or not archives:
        return "no wheel and no sdist"
    with tarfile.open(archives[0]) as tar:
        compiled = [n for n in tar.getnames() if n.endswith(COMPILED_SOURCES)]
    if compiled:
        return f"sdist only, with compiled sources ({len(compiled)} files): needs a compiler"
    return f"sdist only ({archives[0].name}), pure Python: pip builds it without a compiler"


def table(rows: list[Wheel], title: str = "wheel for arm64 / Python 3.11") -> str:
    width = max(len(r.requirement) for r in rows)
    lines = [f"| {'requirement':<{width}} | {title} | kind |", f"|{'-' * (width + 2)}|---|---|"]
    for r in rows:
        lines.append(f"| {r.requirement:<{width}} | {r.wheel or r.problem} | {r.kind_or_sdist} |")
    return "\n".join(lines)


def direct_table(strict: list[Wheel], bookworm: list[Wheel]) -> str:
    width = max(len(r.requirement) for r in strict)
    lines = [
        f"| {'requirement':<{width}} | newest wheel, manylinux2014/2_17 flags "
        "| newest wheel, bookworm (glibc 2.36) |",
        f"|{'-' * (width + 2)}|---|---|",
    ]
    for s, b in zip(strict, bookworm, strict=True):
        lines.append(f"| {s.requirement:<{width}} | {s.wheel or 'NONE'} | {b.wheel or 'NONE'} |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--direct", action="store_true", help="skip the full-tree resolve")
    args = parser.parse_args()
    reqs = requirements()
    with tempfile.TemporaryDirectory(prefix="voiceback-arm64-") as tmp:
        folders = [Path(tmp) / name for name in ("strict", "bookworm", "target", "sdists")]
        for folder in folders:
            folder.mkdir()
        strict = [check_direct(req, folders[0], STRICT) for req in reqs]
        bookworm = [check_direct(req, folders[1], BOOKWORM) for req in reqs]
        print("Direct dependencies (pyproject.toml), Python 3.11 arm64:\n")
        print(direct_table(strict, bookworm))
        missing = [w for w in bookworm if not w.wheel]
        if not args.direct:
            pins, error = resolve_tree(reqs, folders[2])
            tree = [check_pin(pin, folders[2], folders[3]) for pin in pins]
            print(f"\nFull tree ({len(tree)} distributions), each version checked on bookworm:\n")
            print(table(tree) if tree else f"resolve failed: {error}")
            missing += [w for w in tree if not w.wheel and "pure Python" not in w.problem]
            if error:
                missing.append(Wheel("(full tree)", "", error))
    names = ", ".join(w.requirement for w in missing)
    print(
        f"\nNo arm64 wheel (would need compiling): {names}"
        if missing
        else "\nEvery dependency installs on arm64 (bookworm) without a compiler."
    )
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
