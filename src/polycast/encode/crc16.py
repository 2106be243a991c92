"""CRC-16/ARC, the checksum of the LAME tag: byte by byte for short data, vectorised for hours.

The LAME tag carries a CRC of the whole audio stream; an hour at 64 kb/s is 29 MB, which a
byte-by-byte Python loop takes seconds over. The CRC is linear, so numpy can do whole blocks.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt


def _crc16_table() -> list[int]:
    table = list(range(256))
    for _ in range(8):
        table = [(v >> 1) ^ 0xA001 if v & 1 else v >> 1 for v in table]
    return table


_TABLE_LIST = _crc16_table()


def crc16(data: bytes, crc: int = 0) -> int:
    """CRC-16/ARC (polynomial 0x8005 reflected), the CRC the LAME tag uses; byte by byte."""
    table = _TABLE_LIST
    for byte in data:
        crc = (crc >> 8) ^ table[(crc ^ byte) & 0xFF]
    return crc


_CRC_BLOCK = 1024  # bytes the vectorised CRC takes at a time: a power of two (see below)


@functools.cache
def _crc_block_tables() -> tuple[
    npt.NDArray[np.uint16], npt.NDArray[np.uint32], npt.NDArray[np.uint32]
]:
    """Build tables for CRC-16/ARC over whole blocks with numpy: the CRC is linear in its input.

    Row ``i`` of the first table holds the CRC of each byte value followed by
    ``_CRC_BLOCK - 1 - i`` zero bytes, so a block's CRC is the XOR of one entry per byte. The
    other two shift a running CRC past a block of zeros, by its low and its high byte.

    The rows are made by doubling: with tables that pass ``n`` zero bytes, the rows for
    ``0..n-1`` zeros give those for ``n..2n-1`` in one step, and the tables pass ``2n`` zeros
    when applied to themselves. Ten steps instead of a thousand: every build pays for this once.
    """
    import numpy as np  # noqa: PLC0415 (slow import, only when hashing a long stream)

    table = np.array(_TABLE_LIST, dtype=np.uint32)
    low = np.arange(256, dtype=np.uint32)
    high = low * np.uint32(256)
    low, high = (low >> 8) ^ table[low & 0xFF], (high >> 8) ^ table[high & 0xFF]
    rows = table[np.newaxis, :]  # the CRC of each byte value followed by no zero byte
    while len(rows) < _CRC_BLOCK:  # low and high pass len(rows) zero bytes
        rows = np.concatenate([rows, low[rows & 0xFF] ^ high[rows >> 8]])
        low, high = low[low & 0xFF] ^ high[low >> 8], low[high & 0xFF] ^ high[high >> 8]
    return rows[::-1].astype(np.uint16).reshape(-1), low, high


class Crc16:
    """A running CRC-16/ARC over a long stream (the LAME tag's music CRC), fast enough for hours."""

    def __init__(self) -> None:
        """Start at 0, as LAME does."""
        self._value = 0
        self._pending = bytearray()

    def update(self, data: bytes | memoryview) -> None:
        """Add ``data`` to the CRC."""
        import numpy as np  # noqa: PLC0415 (slow import, only when hashing a long stream)

        self._pending += data
        whole = len(self._pending) // _CRC_BLOCK * _CRC_BLOCK
        if whole == 0:
            return
        chunk = bytes(self._pending[:whole])
        del self._pending[:whole]
        flat, low, high = _crc_block_tables()
        blocks = np.frombuffer(chunk, dtype=np.uint8).reshape(-1, _CRC_BLOCK)
        where = np.arange(_CRC_BLOCK, dtype=np.int64) * 256 + blocks
        crcs = np.bitwise_xor.reduce(flat[where], axis=1).tolist()
        value = self._value
        for block_crc in crcs:
            value = int(low[value & 0xFF] ^ high[value >> 8]) ^ block_crc
        self._value = value

    @property
    def value(self) -> int:
        """The CRC of everything added so far."""
        return crc16(bytes(self._pending), self._value)
