"""The embedded espeak-ng engine: real synthesis through the bundled library and data."""

from __future__ import annotations

import hashlib
import signal
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from polycast.errors import ConfigError, EngineError, UnsupportedLanguage
from polycast.speak.base import Concurrency, Engine, concurrency_of
from polycast.speak.espeak import EspeakEngine, _library, speak_text
from polycast.speak.espeak_copies import Copies, Copy

DUTCH = "Goedemorgen, dit is het nieuws van vandaag."
ENGLISH = "Good morning, this is the news for today."


def rms(samples: np.ndarray) -> float:
    return float(np.sqrt(np.mean(samples.astype(np.float64) ** 2))) if len(samples) else 0.0


def fundamental(samples: np.ndarray, rate: int) -> float:
    """Median pitch (Hz) over the loud 40 ms frames, by autocorrelation within 60-400 Hz."""
    frame = int(0.04 * rate)
    signal = samples.astype(np.float64)
    floor = 0.3 * np.max(np.abs(signal))
    pitches = []
    for start in range(0, len(signal) - frame, frame):
        chunk = signal[start : start + frame]
        if np.max(np.abs(chunk)) < floor:
            continue
        chunk = chunk - chunk.mean()
        corr = np.correlate(chunk, chunk, mode="full")[frame - 1 :]
        low, high = rate // 400, rate // 60
        lag = low + int(np.argmax(corr[low:high]))
        pitches.append(rate / lag)
    return float(np.median(pitches))


@pytest.fixture(scope="module")
def engine() -> EspeakEngine:
    return EspeakEngine()


def test_is_an_engine_run_in_threads(engine: EspeakEngine) -> None:
    assert isinstance(engine, Engine)
    assert engine.name == "espeak"
    assert engine.network is False
    assert engine.releases_gil is True
    assert concurrency_of(engine) is Concurrency.THREADS


def test_threads_speak_at_once_on_copies_of_their_own_and_give_the_same_samples(
    engine: EspeakEngine,
) -> None:
    """Two threads inside espeak at the same moment, each on its own copy of the library."""
    texts = [(DUTCH, "nl"), (ENGLISH, "en"), ("Morgen wordt het zonnig en warm.", "nl")] * 4
    alone = [engine.synthesize(text, lang).samples.tobytes() for text, lang in texts]
    copies = _library().copies
    inside = threading.Barrier(2, timeout=60)
    met: list[bool] = []
    synth = Copy.speak

    def speak_when_both_inside(self: Copy, text: str, voice: str, rate: int, pitch: int):  # type: ignore[no-untyped-def]
        if not met:
            inside.wait()  # both threads hold a copy: neither waits for the other's
            met.append(True)
        return synth(self, text, voice, rate, pitch)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Copy, "speak", speak_when_both_inside)
        with ThreadPoolExecutor(2) as pool:
            together = list(pool.map(lambda pair: engine.synthesize(*pair), texts))
    assert met and copies.made >= 2
    assert [clip.samples.tobytes() for clip in together] == alone


def test_voices_cover_dutch_english_and_many_more(engine: EspeakEngine) -> None:
    voices = engine.voices()
    assert voices["nl"][0] == "nl"
    assert voices["en"][0] == "en-us"  # a bare "en" means the American voice
    assert "en" in voices["en"]  # the British one is still there
    assert voices["en-gb"][0] == "en"
    assert len(voices) > 100


def test_every_listed_language_has_its_data(
    engine: EspeakEngine, capfd: pytest.CaptureFixture[str]
) -> None:
    """A voice whose dictionary is not bundled would print an error and speak garbage."""
    for lang in engine.voices():
        clip = engine.synthesize("a", lang)
        assert clip.rate == 22050
    assert "Can't read" not in capfd.readouterr().err


def test_dutch_speech_is_audible_mono_int16_of_plausible_length(engine: EspeakEngine) -> None:
    clip = engine.synthesize(DUTCH, "nl")
    assert clip.samples.dtype == np.int16
    assert clip.samples.ndim == 1
    assert clip.rate == 22050
    assert rms(clip.samples) > 1000
    assert len(DUTCH) / 25 < clip.seconds < len(DUTCH) / 8


def test_language_codes_are_matched_loosely(engine: EspeakEngine) -> None:
    assert "voice=en-us " in engine.identity("en_US")
    assert "voice=en-us " in engine.identity("EN")
    assert "voice=nl " in engine.identity("nl-BE")  # no Belgian voice: Dutch
    assert "voice=en " in engine.identity("en-GB")


def test_each_language_gets_its_own_voice(engine: EspeakEngine) -> None:
    text = "Amsterdam"
    dutch, english = engine.synthesize(text, "nl"), engine.synthesize(text, "en")
    assert engine.identity("nl") != engine.identity("en")
    assert not np.array_equal(dutch.samples[:4000], english.samples[:4000])


def test_rate_is_words_per_minute(engine: EspeakEngine) -> None:
    slow = EspeakEngine(rate=100).synthesize(ENGLISH, "en")
    fast = EspeakEngine(rate=300).synthesize(ENGLISH, "en")
    assert slow.seconds > 2.2 * fast.seconds


def test_pitch_raises_the_voice() -> None:
    low = EspeakEngine(pitch=10).synthesize(ENGLISH, "en")
    high = EspeakEngine(pitch=90).synthesize(ENGLISH, "en")
    assert fundamental(high.samples, high.rate) > 1.3 * fundamental(low.samples, low.rate)


def test_options_are_part_of_the_identity() -> None:
    assert EspeakEngine(rate=150).identity("nl") != EspeakEngine(rate=151).identity("nl")
    assert EspeakEngine(pitch=40).identity("nl") != EspeakEngine(pitch=41).identity("nl")
    assert "espeak-ng/1." in EspeakEngine().identity("nl")


def test_a_voice_can_be_chosen_per_language_or_per_cue(engine: EspeakEngine) -> None:
    british = EspeakEngine(voices={"en": "en-gb-x-rp"})
    assert "voice=en-gb-x-rp " in british.identity("en")
    assert "voice=en-gb-x-rp " in british.identity("en-us")
    assert "voice=nl " in british.identity("nl")
    assert "voice=en-us+f3 " in engine.identity("en", "en-us+f3")
    assert rms(engine.synthesize(ENGLISH, "en", voice="en-us+f3").samples) > 1000


def test_unknown_language_names_it_and_lists_some(engine: EspeakEngine) -> None:
    with pytest.raises(UnsupportedLanguage, match=r"'tlh'.*af, am, an") as caught:
        engine.synthesize("nuqneH", "tlh")
    assert "\n" not in str(caught.value)


def test_unknown_voice_is_an_engine_error(engine: EspeakEngine) -> None:
    with pytest.raises(EngineError, match="no voice 'robot'"):
        engine.synthesize(ENGLISH, "en", voice="robot")


@pytest.mark.parametrize("options", [{"rate": 79}, {"rate": 451}, {"pitch": -1}, {"pitch": 100}])
def test_options_out_of_range_are_config_errors(options: dict[str, int]) -> None:
    with pytest.raises(ConfigError):
        EspeakEngine(**options)


def test_empty_and_odd_text_give_a_clip_not_an_error(engine: EspeakEngine) -> None:
    for text in ["", "   ", "...", "a\0b", "<b>not markup</b> & 5 < 6"]:
        clip = engine.synthesize(text, "en")
        assert clip.rate == 22050
        assert clip.seconds < 5


def test_threads_are_serialised_without_mixing_speech(engine: EspeakEngine) -> None:
    texts = [(DUTCH, "nl"), (ENGLISH, "en")] * 6
    alone = {lang: engine.synthesize(text, lang).seconds for text, lang in texts[:2]}
    with ThreadPoolExecutor(4) as pool:
        clips = list(pool.map(lambda pair: engine.synthesize(*pair), texts))
    for (_, lang), clip in zip(texts, clips, strict=True):
        assert clip.seconds == pytest.approx(alone[lang], rel=0.05)


def test_same_text_gives_the_same_samples_whatever_was_spoken_before(
    engine: EspeakEngine,
) -> None:
    """The library's flutter, gain and seed would otherwise carry over from one cue to the next."""
    between = [("Het regent in het noorden.", "nl"), (ENGLISH, "en"), ("Morgen zon.", "nl")]
    takes = []
    for text, lang in between:
        takes.append(engine.synthesize(DUTCH, "nl").samples)
        engine.synthesize(text, lang)
    assert engine.deterministic is True
    assert len({take.tobytes() for take in takes}) == 1


def test_another_process_speaks_the_same_samples(engine: EspeakEngine) -> None:
    """Speech workers are processes: a clip must not depend on which one spoke it."""
    code = (
        "import sys, hashlib; from polycast.speak.espeak import EspeakEngine; "
        "e = EspeakEngine(); e.synthesize('Iets anders eerst.', 'nl'); "
        f"sys.stdout.write(hashlib.sha256(e.synthesize({DUTCH!r}, 'nl').samples.tobytes())"
        ".hexdigest())"
    )
    other = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    here = hashlib.sha256(engine.synthesize(DUTCH, "nl").samples.tobytes()).hexdigest()
    assert other.stdout == here


@pytest.mark.parametrize("voice", ["nl", "en-us", "de", "fr", "en-gb-x-rp", "nl+f3"])
def test_a_voice_loaded_by_its_file_speaks_the_same_samples_as_by_its_name(
    engine: EspeakEngine, voice: str
) -> None:
    """Naming the voice's file skips espeak's scan of every voice file, and changes no sample."""
    library = _library()
    engine.voices()
    by_file = library.file_of(voice)
    assert "/" in by_file  # a listed voice is named by its file under lang/
    assert by_file.endswith("+f3") == voice.endswith("+f3")
    named = library.speak(DUTCH, voice, 175, 50)
    filed = library.speak(DUTCH, by_file, 175, 50)
    assert len(named) > 22050
    assert filed.tobytes() == named.tobytes()


def test_a_voice_espeak_does_not_list_is_passed_on_by_its_name() -> None:
    assert _library().file_of("no-such-voice") == "no-such-voice"


def test_a_long_text_in_one_call_lasts_as_long_as_its_sentences(engine: EspeakEngine) -> None:
    sentences = [DUTCH, "Het regent in het noorden.", "Morgen wordt het zonnig en warm."] * 5
    whole = speak_text(" ".join(sentences), "nl")
    parts = sum(engine.synthesize(sentence, "nl").seconds for sentence in sentences)
    assert whole.seconds == pytest.approx(parts, rel=0.15)


def test_importing_loads_no_library_until_first_use() -> None:
    code = (
        "import polycast.speak.espeak as e, sys; "
        "assert e._LIBRARY is None; e.EspeakEngine(); assert e._LIBRARY is None; "
        "e.EspeakEngine().voices(); assert e._LIBRARY is not None"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


_SPEAK_UNTIL_INTERRUPTED = """
import sys
from polycast.speak.espeak import speak_text
text = " ".join(["een lange zin zonder einde over het weer en de wind"] * 6000)  # ~20 s
speak_text("kort", "nl")  # the library is loaded: what follows is speech, not start-up
try:  # a signal that lands between the print and the call is caught too, not a traceback
    print("speaking", flush=True)
    speak_text(text, "nl")
except KeyboardInterrupt:
    print("interrupted", flush=True)
    sys.exit(3)
print("finished", flush=True)
"""


def test_ctrl_c_while_espeak_speaks_stops_the_speech() -> None:
    """Ctrl-C lands inside espeak's callback: ctypes would swallow it and speech would go on.

    The sentence takes some 20 s to speak, so the signal sent once "speaking" is read arrives
    while espeak runs (or just before it starts): either way the interrupt must come out of
    ``speak_text``, where the script catches it.
    """
    process = subprocess.Popen(
        [sys.executable, "-c", _SPEAK_UNTIL_INTERRUPTED],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        assert process.stdout.readline() == "speaking\n"
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=60)
    finally:
        process.kill()
        process.wait()
    assert (process.returncode, out) == (3, "interrupted\n"), err
    assert "Exception ignored" not in err


def test_without_anonymous_files_threads_take_turns_on_one_copy(engine: EspeakEngine) -> None:
    """Where no copy of the library can be made, threads wait for the one there is."""
    library = _library()
    alone = engine.synthesize(DUTCH, "nl").samples.tobytes()
    single = Copies(library.path, library.data)
    single._copyable = False
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(library, "copies", single)
        with ThreadPoolExecutor(3) as pool:
            clips = list(pool.map(lambda _: engine.synthesize(DUTCH, "nl"), range(6)))
    assert single.made == 1
    assert all(clip.samples.tobytes() == alone for clip in clips)
