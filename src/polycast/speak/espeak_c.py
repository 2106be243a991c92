"""The C side of espeak-ng: its structures, its function signatures, and unloading it.

Kept apart from the engine so ``espeak`` reads as what it does with the library, not how
ctypes is told about it.
"""

from __future__ import annotations

import _ctypes
import ctypes
import sys

Callback = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p
)


class Voice(ctypes.Structure):
    """``espeak_VOICE`` from speak_lib.h."""

    _fields_ = (
        ("name", ctypes.c_char_p),
        ("languages", ctypes.c_void_p),
        ("identifier", ctypes.c_char_p),
        ("gender", ctypes.c_ubyte),
        ("age", ctypes.c_ubyte),
        ("variant", ctypes.c_ubyte),
        ("xx1", ctypes.c_ubyte),
        ("score", ctypes.c_int),
        ("spare", ctypes.c_void_p),
    )


def parse_languages(address: int) -> list[tuple[int, str]]:
    """Decode ``espeak_VOICE.languages``: (priority byte, NUL-terminated code) pairs, then 0."""
    pairs: list[tuple[int, str]] = []
    while (priority := ctypes.c_ubyte.from_address(address).value) != 0:
        code = ctypes.string_at(address + 1)
        pairs.append((priority, code.decode("ascii", "replace").lower()))
        address += len(code) + 2
    return pairs


def close(lib: ctypes.CDLL) -> None:
    """Free the library's memory and unload it, so the next ``_open`` starts from scratch."""
    lib.espeak_Terminate()
    if sys.platform == "win32":
        _ctypes.FreeLibrary(lib._handle)
    else:
        _ctypes.dlclose(lib._handle)


def declare(lib: ctypes.CDLL) -> None:
    """Give ctypes the C signatures so arguments are passed, and results read, correctly."""
    lib.espeak_Initialize.argtypes = (ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int)
    lib.espeak_Initialize.restype = ctypes.c_int
    lib.espeak_Info.argtypes = (ctypes.c_void_p,)
    lib.espeak_Info.restype = ctypes.c_char_p
    lib.espeak_SetSynthCallback.argtypes = (Callback,)
    lib.espeak_SetSynthCallback.restype = None
    lib.espeak_ListVoices.argtypes = (ctypes.c_void_p,)
    lib.espeak_ListVoices.restype = ctypes.POINTER(ctypes.POINTER(Voice))
    lib.espeak_SetVoiceByName.argtypes = (ctypes.c_char_p,)
    lib.espeak_SetVoiceByName.restype = ctypes.c_int
    lib.espeak_SetParameter.argtypes = (ctypes.c_int, ctypes.c_int, ctypes.c_int)
    lib.espeak_SetParameter.restype = ctypes.c_int
    lib.espeak_Synth.argtypes = (
        ctypes.c_void_p,
        ctypes.c_size_t,
        ctypes.c_uint,
        ctypes.c_int,
        ctypes.c_uint,
        ctypes.c_uint,
        ctypes.c_void_p,
        ctypes.c_void_p,
    )
    lib.espeak_Synth.restype = ctypes.c_int
    lib.espeak_ng_SetRandSeed.argtypes = (ctypes.c_long,)
    lib.espeak_ng_SetRandSeed.restype = None
    lib.espeak_Terminate.argtypes = ()
    lib.espeak_Terminate.restype = ctypes.c_int
