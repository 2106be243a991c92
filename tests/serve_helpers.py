"""A ``PublishServer`` run in a thread of the test, and a plain request to it.

Shared by the serve tests, so each starts and stops its server, and asks it, the same way.
"""

from __future__ import annotations

import http.client
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from polycast.publish import make_server
from polycast.publish.serve import PublishServer

HANG_S = 60.0
"""A guard against a hang, not a speed check: no answer in a minute is a failure."""


@contextmanager
def running(folder: Path, **options: Any) -> Iterator[PublishServer]:
    """Serve ``folder`` on 127.0.0.1 (any free port) for the block; stop and join afterwards."""
    server = make_server(folder, "127.0.0.1", 0, **options)
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def request(
    server: PublishServer, path: str, method: str = "GET", **headers: str
) -> tuple[int, dict[str, str], bytes]:
    """Ask ``server`` for ``path``: status, headers and body (``If_None_Match`` -> a header)."""
    connection = http.client.HTTPConnection(*server.server_address[:2], timeout=HANG_S)
    try:
        connection.request(
            method, path, headers={k.replace("_", "-"): v for k, v in headers.items()}
        )
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()
