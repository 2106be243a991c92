"""CRC-16/ARC: the catalogued check value, a bit-by-bit reference, and the running form."""

from __future__ import annotations

import os

import pytest

from polycast.encode.crc16 import Crc16, crc16
from test_encode import crc16_arc


def test_crc16_is_crc16_arc() -> None:
    assert crc16(b"123456789") == 0xBB3D  # the catalogued check value of CRC-16/ARC
    data = os.urandom(3000)
    assert crc16(data) == crc16_arc(data)


@pytest.mark.parametrize("piece", [1, 209, 1024, 5000])
def test_running_crc_equals_one_pass(piece: int) -> None:
    data = os.urandom(12_345)
    crc = Crc16()
    for at in range(0, len(data), piece):
        crc.update(data[at : at + piece])
    assert crc.value == crc16(data)
