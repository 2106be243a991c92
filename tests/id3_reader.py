"""A small ID3v2.3 reader for tests, independent of mutagen: raw bytes in, frames in file order.

It decodes only what the tests check (text frames, TXXX, WXXX, CHAP, CTOC) and keeps each
frame's byte offset, so a test can prove where a frame stands in the file.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

V23_FRAME_HEADER = 10


@dataclass
class Frame:
    """One frame as it stands in the file."""

    id: str
    offset: int
    body: bytes
    text: str | None = None
    description: str | None = None
    url: str | None = None
    element_id: str | None = None
    start_ms: int | None = None
    end_ms: int | None = None
    start_offset: int | None = None
    end_offset: int | None = None
    flags: int | None = None
    children: list[str] = field(default_factory=list)
    sub_frames: list[Frame] = field(default_factory=list)

    def sub(self, frame_id: str) -> Frame | None:
        """The first sub-frame with this id."""
        return next((f for f in self.sub_frames if f.id == frame_id), None)


@dataclass
class Tag:
    """An ID3v2 tag: its version, its size on disk and its frames in file order."""

    major: int
    size: int
    frames: list[Frame]

    def all(self, frame_id: str) -> list[Frame]:
        """Every top-level frame with this id, in file order."""
        return [f for f in self.frames if f.id == frame_id]

    def text(self, frame_id: str) -> str | None:
        """The text of the first top-level frame with this id."""
        found = self.all(frame_id)
        return found[0].text if found else None


def read_tag(data: bytes) -> Tag:
    """Parse the ID3v2.3 tag at the start of ``data``."""
    if data[:3] != b"ID3":
        raise ValueError("no ID3v2 tag")
    major, flags = data[3], data[5]
    if major != 3:
        raise ValueError(f"ID3v2.{major}, not 2.3")
    if flags & 0x80:
        raise ValueError("unsynchronised tags are not supported here")
    size = _syncsafe(data[6:10])
    start = 10
    if flags & 0x40:  # extended header: its size excludes the 4 size bytes in v2.3
        start += 4 + struct.unpack(">I", data[10:14])[0]
    return Tag(major=major, size=10 + size, frames=_frames(data, start, 10 + size))


def _syncsafe(four: bytes) -> int:
    if any(b & 0x80 for b in four):
        raise ValueError("size is not sync-safe")
    return four[0] << 21 | four[1] << 14 | four[2] << 7 | four[3]


def _frames(data: bytes, start: int, end: int) -> list[Frame]:
    frames = []
    at = start
    while at + V23_FRAME_HEADER <= end and data[at] != 0:  # a zero byte starts the padding
        frame_id = data[at : at + 4].decode("ascii")
        (size,) = struct.unpack(">I", data[at + 4 : at + 8])  # v2.3: plain, not sync-safe
        body = data[at + V23_FRAME_HEADER : at + V23_FRAME_HEADER + size]
        if len(body) != size:
            raise ValueError(f"frame {frame_id} at {at} runs past the tag")
        frames.append(_decode(Frame(id=frame_id, offset=at, body=body), data, at))
        at += V23_FRAME_HEADER + size
    if any(data[at:end]):
        raise ValueError(f"non-zero bytes in the padding after offset {at}")
    return frames


def _decode(frame: Frame, data: bytes, at: int) -> Frame:
    body = frame.body
    if frame.id == "TXXX":
        frame.description, rest = _string(body[1:], body[0])
        frame.text = _text(rest, body[0])
    elif frame.id.startswith("T"):
        frame.text = _text(body[1:], body[0])
    elif frame.id == "WXXX":
        frame.description, rest = _string(body[1:], body[0])
        frame.url = rest.split(b"\0")[0].decode("latin-1")
    elif frame.id == "CHAP":
        element, rest = body.split(b"\0", 1)
        frame.element_id = element.decode("latin-1")
        frame.start_ms, frame.end_ms, frame.start_offset, frame.end_offset = struct.unpack(
            ">IIII", rest[:16]
        )
        inner = at + V23_FRAME_HEADER + len(element) + 1 + 16
        frame.sub_frames = _frames(data, inner, at + V23_FRAME_HEADER + len(body))
    elif frame.id == "CTOC":
        element, rest = body.split(b"\0", 1)
        frame.element_id = element.decode("latin-1")
        frame.flags, count = rest[0], rest[1]
        rest = rest[2:]
        used = len(element) + 1 + 2
        for _ in range(count):
            child, rest = rest.split(b"\0", 1)
            frame.children.append(child.decode("latin-1"))
            used += len(child) + 1
        frame.sub_frames = _frames(data, at + V23_FRAME_HEADER + used, at + 10 + len(body))
    return frame


def _string(data: bytes, encoding: int) -> tuple[str, bytes]:
    """A terminated string at the start of ``data``, and what follows it."""
    if encoding == 0:
        raw, rest = data.split(b"\0", 1)
        return raw.decode("latin-1"), rest
    if encoding != 1:
        raise ValueError(f"text encoding {encoding} is not allowed in ID3v2.3")
    for i in range(0, len(data) - 1, 2):
        if data[i : i + 2] == b"\0\0":
            return data[:i].decode("utf-16"), data[i + 2 :]
    return data.decode("utf-16"), b""


def _text(data: bytes, encoding: int) -> str:
    """A text frame's value: the strings up to its end, without a final terminator."""
    text, rest = _string(data, encoding)
    if rest.strip(b"\0"):
        raise ValueError(f"more than one value in a text frame: {data!r}")
    return text
