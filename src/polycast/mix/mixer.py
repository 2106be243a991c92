"""``mix``: clips in, a ``Timeline`` out, with every voice levelled and the episode at its target.

Three passes, none holding more than a block of audio:

1. Spool: each clip, as the speak stage yields it, is trimmed, resampled and appended to a
   temporary file; its place on the timeline is noted and its loudness added to its voice's meter.
2. Level: every voice gets the gain that brings its speech to the same loudness, the music is
   set relative to that, and the levelled mix is rendered once to measure its integrated loudness
   and true peak. One gain for the whole episode then meets the target (never per sentence); if
   that gain would push a true peak over the ceiling, a look-ahead limiter catches those peaks.
3. Verify: the final 16-bit output is rendered once, measured, and kept in a second temporary
   file; that measurement is reported.

The returned ``Timeline`` reads the kept output back in blocks (``RenderedSource``), so the
encoder never renders (or limits) the episode a second time.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from polycast.errors import EngineError, InputError
from polycast.mix.condition import VoiceKey, condition, voice_key, voice_name
from polycast.mix.layout import Placement, bed_spans, pause_frames, timed_chapters, timed_cues
from polycast.mix.limiter import Limiter
from polycast.mix.loudness import LoudnessMeter
from polycast.mix.music import Music, Score, load_music
from polycast.mix.settings import MixSettings
from polycast.mix.source import MixSource, RenderedSource
from polycast.mix.spool import Spool
from polycast.mix.truepeak import TruePeakMeter
from polycast.models import Clip, Cue, Rundown, Timeline

log = logging.getLogger(__name__)

MAX_VOICE_GAIN_DB = 30.0
"""A voice is never raised or lowered more than this (a near-silent clip is not noise to boost)."""
HEADROOM_DB = 0.1
"""Without a limiter, true peaks must stay this far under the ceiling (16-bit rounding)."""
LIMIT_MARGIN_DB = 0.2
"""The limiter aims this far under the ceiling (its envelope is an estimate, like any meter)."""
RETRY_LU = 0.2
"""When limiting costs more loudness than this, the episode gain is raised once to make it up."""


@dataclass(frozen=True)
class VoiceLevel:
    """How loud one voice was, and what it took to level it."""

    voice: str
    """Language, and voice where one was named (``nl``, ``en/en-us``)."""
    loudness: float
    """Its speech's integrated loudness as the engine made it, LUFS (mono)."""
    gain_db: float
    """Gain applied to it before the episode gain."""
    seconds: float
    """How long it speaks in the episode."""


@dataclass(frozen=True)
class MixReport:
    """What the final mix measures: for the build summary, and proof the targets were met."""

    loudness: float
    """Integrated loudness of the final 16-bit output, LUFS (ITU-R BS.1770-4)."""
    true_peak: float
    """Its true peak, dBTP (4x oversampled)."""
    target: float
    """The loudness aimed for."""
    ceiling: float
    """The true peak allowed."""
    gain_db: float
    """The one gain applied to the whole levelled episode."""
    limited: bool
    """Whether the peak limiter was needed."""
    voices: tuple[VoiceLevel, ...] = ()
    """Each voice's level and gain."""

    def summary(self) -> str:
        """Return one line for a person: ``-19.0 LUFS (target -19), true peak -3.1 dBTP``."""
        limited = ", peaks limited" if self.limited else ""
        return (
            f"{self.loudness:.1f} LUFS (target {self.target:g}), "
            f"true peak {self.true_peak:.1f} dBTP{limited}"
        )


class MixResult(NamedTuple):
    """What ``mix`` returns: unpack as ``timeline, report = mix(...)``."""

    timeline: Timeline
    """The episode, rendered on demand."""
    report: MixReport
    """What the final mix measures."""


def mix(
    rundown: Rundown, clips: Iterable[Clip], settings: MixSettings, music: Music | None = None
) -> MixResult:
    """Place, level and measure one clip per cue (in rundown order) into a timeline.

    Args:
        rundown: the episode's plan; its cues, in chapter order, match ``clips`` one to one.
        clips: the speech, one per cue, consumed lazily and only once.
        settings: format, loudness target, trimming, music.
        music: stings and bed already loaded; default: read the files ``settings`` names.

    Raises:
        InputError: the rundown has no cues.
        EngineError: there are more or fewer clips than cues, a clip is not mono 16-bit PCM,
            or every clip is silent.
        ConfigError: a music file cannot be read.
        OutputError: the temporary audio cannot be written (disk full).
    """
    cues = [cue for chapter in rundown.chapters for cue in chapter.cues]
    if not cues:
        raise InputError(f"the rundown {rundown.title!r} has no cues: nothing to say")
    music = load_music(settings) if music is None else music
    lead_in = 0 if music.sting is None else len(music.sting)
    spool = Spool()
    try:
        placements, meters, speech_end = _spool(cues, clips, settings, spool, lead_in)
        spool.finish()
    except BaseException:
        spool.close()
        raise
    if not any(p.frames for p in placements):
        spool.close()
        raise EngineError(f"all {len(cues)} clips were silent: the voices produced no speech")
    length = speech_end + (0 if music.sting is None else len(music.sting))
    reference = settings.target - 10 * math.log10(settings.channels)
    gains, levels = _level_voices(meters, reference, settings.rate)
    score = _score(music, settings, placements, (lead_in, speech_end, length), reference)
    source = MixSource(spool, placements, length, settings.channels, gains, score)
    try:
        final, report = _meet_target(source, settings, levels)
    finally:
        spool.close()  # the final output is rendered: the speech is needed no more
    timeline = Timeline(
        source=final,
        length=length,
        rate=settings.rate,
        channels=settings.channels,
        cues=timed_cues(placements),
        chapters=timed_chapters(rundown, placements, length),
    )
    log.info("mixed %.1f s: %s", timeline.seconds, report.summary())
    return MixResult(timeline, report)


def _spool(
    cues: Sequence[Cue], clips: Iterable[Clip], settings: MixSettings, spool: Spool, lead_in: int
) -> tuple[list[Placement], dict[VoiceKey, LoudnessMeter], int]:
    """Pass 1: condition and store each clip; return placements, voice meters, end of speech."""
    rate = settings.rate
    placements: list[Placement] = []
    meters: dict[VoiceKey, LoudnessMeter] = {}
    position = lead_in
    stream = iter(clips)
    for cue in cues:
        clip = next(stream, None)
        if clip is None:
            raise EngineError(f"the speak stage gave {len(placements)} clips for {len(cues)} cues")
        audio = condition(clip, cue, rate, settings.trim_db, settings.trim_keep_ms)
        key = voice_key(cue)
        meters.setdefault(key, LoudnessMeter(rate)).add(audio)
        offset = spool.append(audio)
        placements.append(Placement(cue, key, position, position + len(audio), offset))
        position += len(audio) + pause_frames(cue.pause_ms, rate)
    if next(stream, None) is not None:
        raise EngineError(f"the speak stage gave more clips than the {len(cues)} cues")
    return placements, meters, position


def _loudness(meter: LoudnessMeter) -> float:
    """Gated loudness, or the ungated one for audio too short or sparse to gate."""
    value = meter.integrated()
    return value if math.isfinite(value) else meter.ungated()


def _level_voices(
    meters: dict[VoiceKey, LoudnessMeter], reference: float, rate: int
) -> tuple[dict[VoiceKey, float], tuple[VoiceLevel, ...]]:
    """Give each voice the gain that takes its speech to ``reference`` LUFS (mono)."""
    gains: dict[VoiceKey, float] = {}
    levels = []
    for key, meter in meters.items():
        loudness = _loudness(meter)
        gain_db = 0.0
        if math.isfinite(loudness):
            gain_db = min(MAX_VOICE_GAIN_DB, max(-MAX_VOICE_GAIN_DB, reference - loudness))
        gains[key] = 10 ** (gain_db / 20)
        seconds = meter.frames / rate
        levels.append(VoiceLevel(voice_name(key), loudness, gain_db, seconds))
        log.info("voice %s: %.1f LUFS, gain %+.1f dB", voice_name(key), loudness, gain_db)
    return gains, tuple(levels)


def _scaled(
    audio: npt.NDArray[np.float32] | None, level: float, rate: int
) -> npt.NDArray[np.float32] | None:
    """Return ``audio`` scaled to ``level`` LUFS (mono), or None."""
    if audio is None:
        return None
    meter = LoudnessMeter(rate)
    meter.add(audio)
    loudness = _loudness(meter)
    gain = 10 ** ((level - loudness) / 20) if math.isfinite(loudness) else 1.0
    return np.asarray(audio * np.float32(gain), dtype=np.float32)


def _score(
    music: Music,
    settings: MixSettings,
    placements: Sequence[Placement],
    marks: tuple[int, int, int],
    reference: float,
) -> Score:
    """Place the music: stings at the start and after the speech, the bed where it belongs."""
    lead_in, speech_end, length = marks
    rate = settings.rate
    speech = np.array([(p.start, p.end) for p in placements], dtype=np.int64).reshape(-1, 2)
    return Score(
        rate=rate,
        sting=_scaled(music.sting, reference + settings.sting_level, rate),
        sting_at=(0, speech_end) if lead_in else (),
        bed=_scaled(music.bed, reference + settings.bed_level, rate),
        bed_spans=bed_spans(settings.bed_span, placements, length, rate),
        speech=speech,
        duck=10 ** (-settings.duck_db / 20),
    )


def measure(
    blocks: Iterator[npt.NDArray[np.generic]], rate: int, channels: int
) -> tuple[float, float]:
    """Measure a stream of blocks: (integrated loudness in LUFS, true peak in dBTP)."""
    meter = LoudnessMeter(rate, channels)
    peak = TruePeakMeter(channels)
    for block in blocks:
        meter.add(block)
        peak.add(block)
    return _loudness(meter), peak.peak_db()


def _meet_target(
    source: MixSource, settings: MixSettings, levels: tuple[VoiceLevel, ...]
) -> tuple[RenderedSource, MixReport]:
    """Choose the episode gain and limiter (pass 2), then render and measure the output (pass 3)."""
    rate, channels, target = settings.rate, settings.channels, settings.target
    loudness, peak = measure(source.float_blocks(), rate, 1)
    loudness += 10 * math.log10(channels)  # the same signal on every channel
    gain_db = target - loudness if math.isfinite(loudness) else 0.0
    limiter = None
    if peak + gain_db > settings.true_peak - HEADROOM_DB:
        limiter = Limiter.at(rate, 10 ** ((settings.true_peak - LIMIT_MARGIN_DB) / 20))
        log.info("true peak %.1f dBTP at the target: limiting peaks", peak + gain_db)
    final, loudness, peak = _render(source.with_gain(10 ** (gain_db / 20), limiter), settings)
    if limiter is not None and math.isfinite(loudness) and abs(loudness - target) > RETRY_LU:
        # Heavy limiting lowered the loudness; one more step of gain brings it back.
        final.spool.close()
        gain_db += target - loudness
        final, loudness, peak = _render(source.with_gain(10 ** (gain_db / 20), limiter), settings)
    report = MixReport(
        loudness, peak, target, settings.true_peak, gain_db, limiter is not None, levels
    )
    return final, report


def _render(source: MixSource, settings: MixSettings) -> tuple[RenderedSource, float, float]:
    """Render the 16-bit output once, keeping it for the encoder; return it, LUFS and dBTP.

    Raises:
        OutputError: the temporary audio cannot be written (disk full).
    """
    spool = Spool(dtype=np.int16)
    try:
        blocks = _kept(source.mono_blocks(0, source.length), spool)
        loudness, peak = measure(blocks, settings.rate, 1)
        spool.finish()
    except BaseException:
        spool.close()
        raise
    loudness += 10 * math.log10(settings.channels)  # the same signal on every channel
    return RenderedSource(spool, source.length, settings.channels), loudness, peak


def _kept(blocks: Iterator[npt.NDArray[np.int16]], spool: Spool) -> Iterator[npt.NDArray[np.int16]]:
    """Pass ``blocks`` on, appending each to ``spool`` first."""
    for block in blocks:
        spool.append(block)
        yield block
