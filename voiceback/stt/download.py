"""Download and install a speech model: `voiceback models download`.

The official small English Vosk model is a zip on alphacephei.com. No checksum from
Alpha Cephei was found; the SHA-256 and size below are those recorded for this exact
file by Rhasspy's mirror (huggingface.co/rhasspy/vosk-models, the Git LFS pointer of
en/vosk-model-small-en-us-0.15.zip) and, independently, by other projects' install
scripts that fetch it from alphacephei.com: they agree. Besides size and checksum, the
zip's own CRCs are checked before anything is unpacked.

A broken download resumes: the partial file stays next to the models as
`<name>.zip.part` and the next attempt asks for the rest with an HTTP Range request.
The zip is unpacked into a temporary folder in models/ and renamed into place, so a
half-unpacked model is never seen under its real name.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import shutil
import tempfile
import urllib.error
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from tqdm import tqdm

from voiceback.types import DownloadError

_CHUNK_BYTES = 1 << 16
_TIMEOUT_S = 30.0


@dataclass(frozen=True, slots=True)
class ModelSource:
    """Where a model zip lives and what it must be."""

    name: str
    """Folder name under models/ (also the zip's top-level folder)."""
    url: str
    size_bytes: int | None = None
    sha256: str | None = None


VOSK_SMALL_EN = ModelSource(
    name="vosk-model-small-en-us-0.15",
    url="https://alphacephei.com/vosk/models/vosk-model-small-en-us-0.15.zip",
    size_bytes=41_205_931,
    sha256="30f26242c4eb449f948e42cb302dd7a686cb29a3423a8367f99ff41780942498",
)


def download_model(
    models_dir: Path,
    source: ModelSource = VOSK_SMALL_EN,
    *,
    progress: bool = True,
    timeout_s: float = _TIMEOUT_S,
) -> Path:
    """Fetch, verify and unpack `source` into models_dir/<name>; return that folder.

    Does nothing if the folder is already there. Raises DownloadError when offline, on
    an HTTP error, or when the file is not the one expected (then it is deleted).
    """
    target = models_dir / source.name
    if target.is_dir():
        return target
    models_dir.mkdir(parents=True, exist_ok=True)
    part = models_dir / f"{source.name}.zip.part"
    fetch(source, part, progress=progress, timeout_s=timeout_s)
    verify(part, source)
    unpack(part, target)
    part.unlink()
    return target


def fetch(source: ModelSource, part: Path, *, progress: bool, timeout_s: float) -> None:
    """Download `source.url` into `part`, resuming from its current length."""
    have = part.stat().st_size if part.exists() else 0
    if source.size_bytes is not None and have >= source.size_bytes:
        return
    request = urllib.request.Request(source.url, headers={"User-Agent": "voiceback"})
    if have:
        request.add_header("Range", f"bytes={have}-")
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:
            resumed = have > 0 and response.status == 206
            total = _total_bytes(response, have if resumed else 0, source.size_bytes)
            start = have if resumed else 0
            with part.open("ab" if resumed else "wb") as out:
                got = _copy(response, out, total, start, progress, source.name)
            if total is not None and start + got < total:
                raise ConnectionError(f"closed after {start + got} of {total} bytes")
    except urllib.error.HTTPError as err:
        if err.code == 416 and have:  # nothing left to send: the part is complete
            return
        raise DownloadError(f"{source.url} answered HTTP {err.code} {err.reason}") from err
    except urllib.error.URLError as err:
        raise DownloadError(
            f"could not reach {source.url} ({_reason(err)}): are you offline?{_kept(part)}"
        ) from err
    except (TimeoutError, ConnectionError, http.client.HTTPException) as err:
        broke = f"the download of {source.name} broke off ({err})"
        raise DownloadError(broke + _kept(part)) from err
    except OSError as err:
        raise DownloadError(f"could not write {part}: {err}") from err


def _kept(part: Path) -> str:
    size = part.stat().st_size if part.exists() else 0
    return f"; {size} bytes are kept and the next try resumes" if size else ""


def _total_bytes(response: object, start: int, expected: int | None) -> int | None:
    length = getattr(response, "headers", {}).get("Content-Length")
    return start + int(length) if length and length.isdigit() else expected


def _copy(
    response: BinaryIO, out: BinaryIO, total: int | None, start: int, progress: bool, name: str
) -> int:
    """Copy the body to `out` with a progress bar; return the number of bytes."""
    got = 0
    with tqdm(
        total=total, initial=start, unit="B", unit_scale=True, unit_divisor=1024,
        desc=name, disable=not progress,
    ) as bar:  # fmt: skip
        while chunk := response.read(_CHUNK_BYTES):
            out.write(chunk)
            got += len(chunk)
            bar.update(len(chunk))
    return got


def _reason(err: BaseException) -> str:
    reason = getattr(err, "reason", None)
    return str(reason if reason is not None else err)


def verify(part: Path, source: ModelSource) -> None:
    """Check size, SHA-256 and the zip's CRCs; delete the file if it is wrong."""
    size = part.stat().st_size
    problem = None
    if source.size_bytes is not None and size != source.size_bytes:
        problem = f"is {size} bytes, expected {source.size_bytes}"
    elif source.sha256 is not None and (digest := sha256_of(part)) != source.sha256:
        problem = f"has SHA-256 {digest}, expected {source.sha256}"
    else:
        problem = _zip_problem(part)
    if problem is not None:
        part.unlink()
        raise DownloadError(f"the download of {source.name} {problem}; deleted, try again")


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as data:
        while chunk := data.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _zip_problem(path: Path) -> str | None:
    try:
        with zipfile.ZipFile(path) as archive:
            bad = archive.testzip()
    except (zipfile.BadZipFile, OSError) as err:
        return f"is not a readable zip ({err})"
    return f"is corrupt (bad CRC in {bad})" if bad is not None else None


def unpack(archive_path: Path, target: Path) -> None:
    """Unpack into a temporary folder beside `target`, then rename it into place.

    A zip holding one top-level folder (as Vosk's do) gives that folder's contents.
    """
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        with zipfile.ZipFile(archive_path) as archive:
            _check_members(archive, staging)
            archive.extractall(staging)
        entries = list(staging.iterdir())
        root = entries[0] if len(entries) == 1 and entries[0].is_dir() else staging
        os.replace(root, target)
    except (OSError, zipfile.BadZipFile) as err:
        raise DownloadError(f"could not unpack {archive_path} into {target}: {err}") from err
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _check_members(archive: zipfile.ZipFile, staging: Path) -> None:
    base = staging.resolve()
    for name in archive.namelist():
        if not (base / name).resolve().is_relative_to(base):
            raise DownloadError(f"the zip holds a path outside its folder: {name}")
