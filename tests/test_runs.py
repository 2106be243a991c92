"""Runs: an episode mixed and encoded in pieces that a rebuild after an edit reuses.

The promise is strict: a rebuild that takes unchanged runs from the cache writes the very bytes a
build from scratch writes, and only the runs the edit touched are measured and encoded again.
"""

from __future__ import annotations

import io
import itertools
import shutil
import struct
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from polycast.cache import RunCache
from polycast.cache.speech import decode_entry, encode_entry, kept_entry
from polycast.encode.mp3 import decode_mp3, encode_mp3
from polycast.encode.parallel import _plan
from polycast.mix import MixSettings, mix
from polycast.mix.runs import GRID, QUANTUM_DB, digest
from polycast.mix.source import RunSource
from polycast.models import Chapter, Clip, Cue, KeptClip, Run, Rundown, Timeline
from speechlike import speech, to_clip
from test_encode import ArraySource, snr_db, vowel
from test_rebuild import SHORT, build

RATE = 44100


class DictStore:
    """A run store in memory that counts what is asked of it."""

    def __init__(self) -> None:
        self.data: dict[tuple[str, str], bytes] = {}
        self.puts: Counter[str] = Counter()

    def get(self, kind: str, key: str) -> bytes | None:
        return self.data.get((kind, key))

    def put(self, kind: str, key: str, data: bytes) -> None:
        self.puts[kind] += 1
        self.data[(kind, key)] = data


def runs_timeline(
    parts: list[npt.NDArray[np.int16]], gap: int = RATE * 6 // 10
) -> tuple[npt.NDArray[np.int16], Timeline]:
    """Lay ``parts`` out as a mix does: each after a silent gap, starting on the frame grid."""
    pcm = np.zeros(0, dtype=np.int16)
    runs: list[Run] = []
    for k, part in enumerate(parts):
        start = 0 if k == 0 else -(-(len(pcm) + gap) // GRID) * GRID
        if runs:
            previous = runs[-1]
            runs[-1] = Run(previous.start, start, start - len(pcm), previous.key)
        pcm = np.concatenate([pcm, np.zeros(start - len(pcm), np.int16), part])
        runs.append(Run(start, len(pcm), 0, digest(part.tobytes())))
    pcm = np.concatenate([pcm, np.zeros(gap, np.int16)])
    runs[-1] = Run(runs[-1].start, len(pcm), 0, runs[-1].key)
    return pcm, Timeline(ArraySource(pcm, 1), len(pcm), RATE, 1, (), (), tuple(runs))


def _encode(timeline: Timeline, store: DictStore | None = None) -> tuple[bytes, tuple[int, ...]]:
    out = io.BytesIO()
    report = encode_mp3(timeline, out, workers=2, store=store)
    return out.getvalue(), report.joins


def _parts(seeds: list[int]) -> list[npt.NDArray[np.int16]]:
    return [vowel(4 + k % 3, RATE, seed=seed) for k, seed in enumerate(seeds)]


def test_runs_are_encoded_apart_and_joined_inside_the_silence() -> None:
    pcm, timeline = runs_timeline(_parts([1, 2, 3, 4]))
    mp3, joins = _encode(timeline)
    assert len(joins) == len(timeline.runs) - 1
    decoded = decode_mp3(mp3)[0]
    assert len(decoded) == len(pcm)
    for g, (before, after) in zip(joins, itertools.pairwise(timeline.runs), strict=True):
        at = g * 1152 - 1105  # where frame g's audio begins in the decoded file
        assert before.end - before.quiet < at < after.start  # inside the silence
        silence = decoded[before.end - before.quiet + 3000 : after.start - 600]
        assert np.abs(silence.astype(int)).max() <= 2  # the join left nothing audible
    single = io.BytesIO()
    encode_mp3(Timeline(ArraySource(pcm, 1), len(pcm), RATE, 1, (), ()), single)
    # as close to the original as one pass over the whole
    assert snr_db(pcm, decoded) >= snr_db(pcm, decode_mp3(single.getvalue())[0]) - 1.0


def test_a_run_encoded_before_is_taken_from_the_store_and_only_an_edited_one_is_encoded() -> None:
    store = DictStore()
    seeds = [1, 2, 3, 4, 5]
    first, _ = _encode(runs_timeline(_parts(seeds))[1], store)
    assert store.puts["frames"] == 5  # one stretch per (short) run
    again, _ = _encode(runs_timeline(_parts(seeds))[1], store)
    assert again == first and store.puts["frames"] == 5  # nothing encoded again

    edited = runs_timeline(_parts([1, 2, 33, 4, 5]))[1]  # the middle run changes
    incremental, _ = _encode(edited, store)
    assert store.puts["frames"] == 6  # that run alone was encoded
    assert incremental == _encode(edited)[0]  # byte for byte what a build from scratch writes


def test_a_long_run_is_split_into_stretches_that_are_kept_too() -> None:
    store = DictStore()
    _, timeline = runs_timeline([vowel(70, RATE, seed=9), vowel(3, RATE, seed=8)])
    mp3, joins = _encode(timeline, store)
    assert store.puts["frames"] == 4  # 70 s: three stretches of at most 30 s; then the short run
    assert len(joins) == 3
    assert _encode(timeline, store)[0] == mp3 and store.puts["frames"] == 4


def test_a_run_is_split_into_stretches_of_about_one_length() -> None:
    _, timeline = runs_timeline([vowel(3, RATE, seed=8), vowel(34, RATE, seed=9)])
    plan = _plan(timeline, 2)
    second = f"{timeline.runs[1].key}:"
    stretches = [job for job in plan if job.key is not None and job.key.startswith(second)]
    assert len(stretches) == 2  # 34 s: two stretches of 17 s, not 30 s and 4 s
    middle = stretches[1].boundary * GRID - timeline.runs[1].start
    assert abs(middle - (timeline.runs[1].end - timeline.runs[1].start) / 2) < 2 * GRID


def _episode(seeds: list[int]) -> tuple[Rundown, list[Clip]]:
    """Three paragraphs of two sentences, Dutch and English, at 22050 Hz like espeak."""
    cues, clips = [], []
    for k, seed in enumerate(seeds):
        lang = "en" if k == 1 else "nl"
        pause = 600 if k % 2 else 250  # every other sentence ends a paragraph
        cues.append(Cue(f"zin {k}", lang, segment=k // 2, pause_ms=pause))
        wave = speech(1.0 + 0.1 * k, 22050, seed=seed)
        clips.append(to_clip(wave * (0.5 if lang == "en" else 1.0), 22050))
    return Rundown((Chapter("Een", tuple(cues)),), "T", "nl"), clips


def test_a_remix_measures_only_the_runs_an_edit_changed(monkeypatch: pytest.MonkeyPatch) -> None:
    rendered: list[int] = []
    render = RunSource.render
    monkeypatch.setattr(RunSource, "render", lambda self, k: rendered.append(k) or render(self, k))
    settings = MixSettings(intro=False, outro=False)
    store = DictStore()
    seeds = [1, 2, 3, 4, 5, 6]
    first, report = mix(*_episode(seeds), settings, store=store)
    assert sorted(rendered) == [0, 1, 2]  # three runs, the encoder's parts of them tiling it
    assert 3 <= len(first.runs) <= 6 and first.runs[-1].end == first.length
    assert all(a.end == b.start and b.start % GRID == 0 for a, b in itertools.pairwise(first.runs))
    assert all(g % QUANTUM_DB == 0 for g in [report.gain_db, *(v.gain_db for v in report.voices)])
    puts = dict(store.puts)
    assert puts == {"voices": 3, "final": 3}  # speech alone: levelled from its voices' measures

    rendered.clear()
    again, same = mix(*_episode(seeds), settings, store=store)
    assert rendered == [] and dict(store.puts) == puts  # nothing measured or rendered again
    assert np.array_equal(again.pcm(), first.pcm())
    assert (same.loudness, same.true_peak, same.gain_db) == (
        report.loudness,
        report.true_peak,
        report.gain_db,
    )

    rendered.clear()
    edited = [1, 2, 33, 4, 5, 6]  # a sentence of the second paragraph
    remixed, _ = mix(*_episode(edited), settings, store=store)
    assert rendered == [1]
    assert store.puts - Counter(puts) == Counter({"voices": 1, "final": 1})
    fresh, _ = mix(*_episode(edited), settings)
    assert [r.key for r in remixed.runs] == [r.key for r in fresh.runs]
    assert np.array_equal(remixed.pcm(), fresh.pcm())


def _kept(clips: list[Clip], decoded: list[int]) -> list[KeptClip]:
    """The clips as the cache keeps them, each noting its index in ``decoded`` when decoded."""

    def decoder(index: int) -> Callable[[bytes], Clip]:
        return lambda data: decoded.append(index) or decode_entry(data)

    return [
        replace(kept_entry(encode_entry(clip)), decode=decoder(k)) for k, clip in enumerate(clips)
    ]


def test_a_remix_decodes_only_the_kept_clips_of_the_runs_an_edit_changed() -> None:
    settings = MixSettings(intro=False, outro=False)
    store = DictStore()
    decoded: list[int] = []
    rundown, clips = _episode([1, 2, 3, 4, 5, 6])
    first, _ = mix(rundown, _kept(clips, decoded), settings, store=store)
    assert sorted(decoded) == [0, 1, 2, 3, 4, 5] and store.puts["conditioned"] == 6

    decoded.clear()
    again, _ = mix(rundown, _kept(clips, decoded), settings, store=store)
    assert decoded == []  # every run and every clip's length known: nothing decoded
    assert np.array_equal(again.pcm(), first.pcm())  # each clip made as it is read

    decoded.clear()
    edited, clips = _episode([1, 2, 33, 4, 5, 6])  # a sentence of the second paragraph
    remixed, _ = mix(edited, _kept(clips, decoded), settings, store=store)
    assert sorted(decoded) == [2, 3]  # the new sentence, and the one beside it in its run
    fresh, _ = mix(edited, clips, settings)
    assert np.array_equal(remixed.pcm(), fresh.pcm())


def test_a_damaged_note_of_a_kept_clip_is_not_used(caplog: pytest.LogCaptureFixture) -> None:
    settings = MixSettings(intro=False, outro=False)
    store = DictStore()
    rundown, clips = _episode([1, 2, 3, 4])
    first, _ = mix(rundown, _kept(clips, []), settings, store=store)
    notes = [k for k in store.data if k[0] == "conditioned"]
    longer = struct.pack("<Q", 10**9) + b"0" * 32  # well formed, but longer than the clip
    for k, damage in zip(notes, [b"x" * 40, b"\xff" * 40, b"\x01" * 41, longer], strict=True):
        store.data[k] = damage
    decoded: list[int] = []
    again, _ = mix(rundown, _kept(clips, decoded), settings, store=store)
    assert sorted(decoded) == [0, 1, 2, 3]  # each decoded, as if never noted
    assert "damaged" in caplog.text
    assert np.array_equal(again.pcm(), first.pcm())


PARAGRAPH = (
    "De trein vertrok om acht uur uit Utrecht. Er zaten veel reizigers in de eerste wagon. "
    "Bij Amersfoort stapte een conducteur in. Hij controleerde alle kaartjes zorgvuldig. "
    "Een meisje had haar kaartje thuis laten liggen. De conducteur schreef geen boete uit. "
    "In Zwolle stapten de meeste mensen weer uit. De trein reed daarna bijna leeg verder. "
    "Het was een rustige ochtend op het spoor. Niemand had haast die dag."
)


def test_an_edited_sentence_is_the_only_part_of_its_run_encoded_again(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    article = tmp_path / "trein.txt"
    article.write_text(f"De trein\n\n{PARAGRAPH}\n", encoding="utf-8")
    build(article, tmp_path / "first", cache)
    kept = set((cache / "runs").rglob("*.frames"))
    assert len(kept) >= 5  # the paragraph's run is cut into parts, each encoded apart

    article.write_text(
        f"De trein\n\n{PARAGRAPH.replace('zorgvuldig', 'heel erg zorgvuldig')}\n", "utf-8"
    )
    build(article, tmp_path / "edited", cache)
    encoded = set((cache / "runs").rglob("*.frames")) - kept
    assert 1 <= len(encoded) <= 2  # the edited sentence's part (and the next, if they joined)

    shutil.rmtree(cache / "runs")
    shutil.rmtree(cache / "episodes")
    build(article, tmp_path / "scratch", cache)
    edited = (tmp_path / "edited" / "trein.mp3").read_bytes()
    assert edited == (tmp_path / "scratch" / "trein.mp3").read_bytes()


def test_an_edited_article_rebuilds_to_the_bytes_a_build_from_scratch_writes(
    tmp_path: Path,
) -> None:
    cache = tmp_path / "cache"
    article = tmp_path / "kort.txt"
    text = SHORT.read_text(encoding="utf-8")
    article.write_text(text, encoding="utf-8")
    build(article, tmp_path / "first", cache)
    kept = set((cache / "runs").rglob("*.frames"))
    assert len(kept) >= 3

    # An edit that leaves every voice's gain on its 0.5 dB step (one that moves a gain to the
    # next step changes every run that voice speaks in, and they are all made again).
    sentence = "The Hague closely."
    assert text.count(sentence) == 1
    article.write_text(text.replace(sentence, "The Hague very closely."), "utf-8")
    build(article, tmp_path / "edited", cache)
    encoded = set((cache / "runs").rglob("*.frames")) - kept
    assert len(encoded) == 1  # only the run of the edited post was encoded again

    shutil.rmtree(cache / "runs")
    shutil.rmtree(cache / "episodes")  # the speech stays cached: the same clips, mixed anew
    build(article, tmp_path / "scratch", cache)
    edited = (tmp_path / "edited" / "kort.mp3").read_bytes()
    assert edited == (tmp_path / "scratch" / "kort.mp3").read_bytes()


def test_a_damaged_run_entry_is_not_used(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    store = RunCache(tmp_path)
    store.put("final", "k", b"measurements")
    assert store.get("final", "k") == b"measurements"
    assert store.get("final", "other") is None
    (entry,) = (tmp_path / "runs").rglob("*.final")
    data = bytearray(entry.read_bytes())
    data[-1] ^= 1
    entry.write_bytes(bytes(data))
    assert store.get("final", "k") is None
    assert "damaged" in caplog.text
