"""Make the show's audio assets and the mix tests' speech fixtures; nothing is downloaded.

Usage: ``uv run python scripts/make_audio.py [assets|fixtures|all]`` (default: all).

- ``audio/sting.flac``: a short mallet arpeggio (four notes, decaying partials), synthesised
  here, so it is free of any licence but the project's own.
- ``audio/bed.flac``: a soft pad loop of exactly 8 s whose every partial completes whole cycles in
  the loop, so it repeats without a seam.
- ``tests/data/mix/espeak_nl.flac`` and ``espeak_en.flac``: one short sentence each from the
  embedded espeak-ng voices, kept as the engine made it (22050 Hz, its own silence at the ends).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import numpy.typing as npt
import soundfile

ROOT = Path(__file__).resolve().parent.parent
AUDIO = ROOT / "audio"
FIXTURES = ROOT / "tests" / "data" / "mix"

FloatArray = npt.NDArray[np.float64]


def _write(path: Path, audio: FloatArray, rate: int, peak_db: float = -3.0) -> None:
    """Normalise ``audio`` to ``peak_db`` and write it as 16-bit FLAC."""
    audio = audio / np.abs(audio).max() * 10 ** (peak_db / 20)
    path.parent.mkdir(parents=True, exist_ok=True)
    soundfile.write(str(path), audio, rate, subtype="PCM_16", format="FLAC")
    print(f"wrote {path.relative_to(ROOT)}: {len(audio) / rate:.2f} s, {path.stat().st_size} bytes")


def sting(rate: int = 44100) -> FloatArray:
    """Return a 2.4 s mallet arpeggio, C5 E5 G5 C6, the last note left to ring."""
    t = np.arange(int(2.4 * rate)) / rate
    out = np.zeros(len(t))
    notes = [(523.25, 0.00), (659.25, 0.16), (783.99, 0.32), (1046.50, 0.48)]
    for number, (freq, start) in enumerate(notes):
        local = t - start
        on = local >= 0
        decay = 0.9 if number == len(notes) - 1 else 0.35
        for partial, amplitude in ((1, 1.0), (2, 0.25), (3, 0.08), (4.2, 0.05)):
            envelope = np.exp(-local[on] * partial / decay) * np.minimum(1, local[on] / 0.004)
            out[on] += amplitude * envelope * np.sin(2 * np.pi * freq * partial * local[on])
    tail = int(0.3 * rate)
    out[-tail:] *= np.linspace(1, 0, tail) ** 2
    return out


def bed(rate: int = 22050, seconds: int = 8) -> FloatArray:
    """Return a soft two-chord pad that loops seamlessly every ``seconds``."""
    t = np.arange(rate * seconds) / rate

    def periodic(freq: float) -> float:
        # Whole cycles per loop: no seam when the loop starts again.
        return round(freq * seconds) / seconds

    sway = 0.5 + 0.5 * np.cos(2 * np.pi * t / seconds)
    chords = [
        (sway, (130.81, 164.81, 196.00, 246.94)),
        (1 - sway, (110.00, 130.81, 164.81, 196.00)),
    ]
    out = np.zeros(len(t))
    for weight, notes in chords:
        for freq in notes:
            for partial, amplitude in ((1, 1.0), (2, 0.3), (3, 0.12)):
                for detune in (0.0, 1 / seconds):
                    f = periodic(freq * partial) + detune
                    out += weight * amplitude * np.sin(2 * np.pi * f * t)
    return out


def make_assets() -> None:
    """Write the sting and the bed to ``audio/``."""
    _write(AUDIO / "sting.flac", sting(), 44100)
    _write(AUDIO / "bed.flac", bed(), 22050)


def make_fixtures() -> None:
    """Write one short sentence per language from espeak-ng to ``tests/data/mix/``."""
    from polycast.speak.espeak import EspeakEngine

    engine = EspeakEngine()
    lines = {"nl": "Een korte zin.", "en": "A short line."}
    for lang, text in lines.items():
        clip = engine.synthesize(text, lang)
        path = FIXTURES / f"espeak_{lang}.flac"
        path.parent.mkdir(parents=True, exist_ok=True)
        soundfile.write(str(path), clip.samples, clip.rate, subtype="PCM_16", format="FLAC")
        print(f"wrote {path.relative_to(ROOT)}: {clip.seconds:.2f} s, {path.stat().st_size} bytes")


def main(argv: list[str]) -> int:
    what = argv[0] if argv else "all"
    if what not in {"assets", "fixtures", "all"}:
        print(__doc__)
        return 2
    if what in {"assets", "all"}:
        make_assets()
    if what in {"fixtures", "all"}:
        make_fixtures()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
