"""A build whose edge endpoint misbehaves: one clear line, nothing half-written, retries counted.

Each case builds an article with ``--engine edge`` against the local server (moved there by
``[speak.edge] endpoint`` in ``podcast.toml``, backoff zero). A lasting failure is met on an
article of one sentence, so the server's count of handshakes is exactly the tries the engine made.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from harness import Hostile

from edge_server import EdgeServer, Failure, serving
from gtts_server import PROXY_VARIABLES, closed_port

RETRIES = 2


@pytest.fixture
def server() -> Iterator[EdgeServer]:
    yield from serving()


ONE_SENTENCE = "Het kabinet overlegt vandaag in Den Haag over de begroting.\n"


def build(hostile: Hostile, endpoint: str, article: str | None = None) -> tuple[str, ...]:
    """Write the article (the short one by default) and podcast.toml; return the build's args."""
    if article is None:
        hostile.short()
    else:
        hostile.write("short-nl.txt", article)
    hostile.write(
        "podcast.toml",
        f'[speak.edge]\nendpoint = "{endpoint}"\nretries = {RETRIES}\nbase_delay = 0.0\n',
    )
    for name in PROXY_VARIABLES:
        hostile.env.pop(name, None)
    return ("build", "short-nl.txt", "--engine", "edge", "--config", "podcast.toml")


def test_refused_connection_is_one_line_and_not_retried(hostile: Hostile) -> None:
    args = build(hostile, f"ws://127.0.0.1:{closed_port()}/edge/v1", ONE_SENTENCE)
    line = hostile.fails(*args, words=("cannot reach the edge endpoint",))
    assert "retried" not in line
    assert line.endswith(
        "(offline or blocked?); rerun resumes from cache (0 of 1 sentences are done and cached)"
    )


@pytest.mark.parametrize(
    ("failure", "words"),
    [
        (Failure.RATE_LIMITED, ("429 from the edge endpoint: rate limited",)),
        (Failure.CLOSED_MID_STREAM, ("closed the connection mid-stream",)),
        (Failure.GARBAGE, ("sent frames that are not its protocol",)),
        (Failure.GARBAGE_TEXT, ("sent frames that are not its protocol",)),
    ],
    ids=lambda value: value.value if isinstance(value, Failure) else "",
)
def test_a_lasting_failure_is_one_line_after_its_retries(
    hostile: Hostile, server: EdgeServer, failure: Failure, words: tuple[str, ...]
) -> None:
    server.behave(failure=failure)
    args = build(hostile, server.endpoint, ONE_SENTENCE)
    line = hostile.fails(*args, words=(*words, f"retried {RETRIES} times"))
    assert "rerun resumes from cache" in line
    assert server.handshakes == RETRIES + 1


def test_a_rerun_resumes_from_what_was_spoken(hostile: Hostile, server: EdgeServer) -> None:
    """Two sentences pass, then the service limits the rate: a rerun asks only for the rest."""
    server.behave(failure=Failure.RATE_LIMITED, fail_from=2)
    args = build(hostile, server.endpoint)
    line = hostile.fails(*args, "--workers", "1", words=("429", "2 of 6 sentences are done"))
    assert server.handshakes > 2 + RETRIES
    server.behave()
    again = hostile.run(*args)
    assert again.returncode == 0, again.stderr
    assert len(server.received) == 2 + 4, line  # the two spoken before, then only the rest


@pytest.mark.parametrize(
    ("voice", "words"),
    [
        ("nl=Fenna", ("no engine here has a voice named 'Fenna'", "near: nl-NL-FennaNeural")),
        ("nl=de-DE-KatjaNeural", ("speaks de-de, not nl",)),
    ],
)
def test_a_voice_that_is_not_one_is_one_line_before_any_speech(
    hostile: Hostile, server: EdgeServer, voice: str, words: tuple[str, ...]
) -> None:
    args = build(hostile, server.endpoint)
    code = 1 if "Neural" in voice else 2  # a name no engine has is a usage error
    hostile.fails(*args, "--voice", voice, code=code, words=words)
    assert server.handshakes == 0
