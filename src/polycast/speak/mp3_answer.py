"""The MP3 an online engine's endpoint answers, decoded the same way for edge and gTTS.

Both services send MP3; soundfile decodes it (no ffmpeg), and anything that is not audio is a
``Failure`` worth retrying, named after the endpoint that sent it.
"""

from __future__ import annotations

import io

import numpy as np
import numpy.typing as npt
import soundfile
import soxr

from polycast.speak.backoff import Failure


def decode_mp3(mp3: bytes, rate: int, endpoint: str) -> npt.NDArray[np.int16]:
    """Decode one answer's MP3 to mono int16 PCM at ``rate``.

    Raises:
        Failure: the answer holds no audio, or does not decode as MP3 (retryable).
    """
    if not mp3:
        raise Failure(f"the {endpoint} endpoint sent no audio", True)
    try:
        samples, got = soundfile.read(io.BytesIO(mp3), dtype="int16", always_2d=True)
    except soundfile.SoundFileError as e:
        raise Failure(
            f"the {endpoint} endpoint sent audio that does not decode as MP3", True
        ) from e
    if not len(samples):
        raise Failure(f"the {endpoint} endpoint sent no audio", True)
    mono = samples.mean(axis=1).astype(np.int16) if samples.shape[1] > 1 else samples[:, 0]
    return mono if got == rate else np.asarray(soxr.resample(mono, got, rate), dtype=np.int16)
