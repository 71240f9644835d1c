"""pocketsphinx on synthesized speech: domain language model, grammars, missing words."""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator
from pathlib import Path

import pytest
from stt_audio import DOMAIN_SENTENCES, NUMBERS, Say, hear, pcm16, word_accuracy

from voiceback.stt import make_recognizer
from voiceback.stt.lexicon import read_pronunciations
from voiceback.stt.pocketsphinx import (
    LanguageModelFiles,
    PocketsphinxRecognizer,
    build_language_model,
    cmudict_path,
    everyday_words,
    find_language_model,
)
from voiceback.types import ContentError, ModelMissing, RecognizerError

MISSING_FROM_CMUDICT = {
    "celebrex", "diazepam", "flexors", "naproxen", "osteopath", "paracetamol", "relaxant",
    "sacroiliac", "tingly",
}  # fmt: skip
YES_NO_NUMBERS = ("yes", "no", *NUMBERS)
VOICES = [
    pytest.param({"engine": "piper"}, id="piper"),
    pytest.param({"engine": "espeak", "voice": "en-us"}, id="espeak"),
]


@pytest.fixture(scope="module")
def recognizer(domain_model: LanguageModelFiles) -> PocketsphinxRecognizer:
    """Shared by the tests of this module; each test leaves it unrestricted."""
    return PocketsphinxRecognizer(domain_model)


@pytest.fixture
def grammar_recognizer(recognizer: PocketsphinxRecognizer) -> Iterator[PocketsphinxRecognizer]:
    yield recognizer
    recognizer.restrict(None)


# --- the domain language model ------------------------------------------------------------


def test_build_reports_the_words_cmudict_lacks(domain_model: LanguageModelFiles) -> None:
    assert set(domain_model.generated) == MISSING_FROM_CMUDICT
    assert domain_model.generated == tuple(sorted(domain_model.generated))


def test_built_dictionary_covers_every_word(domain_model: LanguageModelFiles) -> None:
    vocabulary = {w for s in DOMAIN_SENTENCES for w in s.split()} | set(YES_NO_NUMBERS)
    entries = read_pronunciations(domain_model.dict_path, vocabulary)
    assert set(entries) == vocabulary
    assert entries["diazepam"] == ("D AY AH Z EH P AE M",)
    assert entries["spasm"] == read_pronunciations(cmudict_path(), ["spasm"])["spasm"]


def test_built_language_model_is_arpa_over_the_sentences(
    domain_model: LanguageModelFiles,
) -> None:
    arpa = domain_model.lm_path.read_text()
    words = {w for s in DOMAIN_SENTENCES for w in s.split()}
    assert "\\data\\" in arpa and "\\end\\" in arpa
    assert f"ngram 1={len(words) + 2}" in arpa  # plus <s> and </s>
    assert " yes " not in arpa  # extra words go to the dictionary only
    assert find_language_model(domain_model.lm_path.parent) == LanguageModelFiles(
        domain_model.lm_path, domain_model.dict_path
    )


def test_everyday_words_are_the_generic_models_likeliest() -> None:
    words = everyday_words(200)
    assert len(words) == 200
    assert list(words)[:3] == ["the", "to", "i"]
    probabilities = list(words.values())
    assert probabilities == sorted(probabilities, reverse=True)
    assert 0.02 < words["the"] < 0.1 and 0.0 < probabilities[-1] < words["back"] < 0.01
    assert all(w.replace("'", "").isalpha() and w.islower() for w in words)
    assert everyday_words(0) == {}


def _unigrams(arpa: str) -> dict[str, float]:
    section = arpa.split("\\1-grams:\n")[1].split("\n\n")[0]
    return {line.split()[1]: 10 ** float(line.split()[0]) for line in section.splitlines()}


def test_everyday_words_join_the_model_as_unigrams_with_their_share(tmp_path: Path) -> None:
    everyday = {"kitchen": 0.0006, "garden": 0.0004, "spasm": 0.01}  # spasm: a domain word
    model = build_language_model(DOMAIN_SENTENCES, tmp_path, everyday=everyday, everyday_mass=0.1)
    arpa = model.lm_path.read_text()
    words = {w for s in DOMAIN_SENTENCES for w in s.split()}
    assert f"ngram 1={len(words) + 2 + 2}" in arpa
    unigrams = _unigrams(arpa)
    share = (unigrams["kitchen"] + unigrams["garden"]) / sum(unigrams.values())
    assert share == pytest.approx(0.1, abs=0.002)
    assert unigrams["kitchen"] / unigrams["garden"] == pytest.approx(1.5, rel=0.01)
    assert " kitchen " not in arpa.split("\\2-grams:")[1]  # a unigram only
    entries = read_pronunciations(model.dict_path, ["kitchen", "garden"])
    assert set(entries) == {"kitchen", "garden"}
    plain = _unigrams(
        build_language_model(DOMAIN_SENTENCES, tmp_path / "plain").lm_path.read_text()
    )
    assert math.isclose(plain["spasm"] / plain["back"], unigrams["spasm"] / unigrams["back"])
    with pytest.raises(ValueError, match="everyday_mass"):
        build_language_model(DOMAIN_SENTENCES, tmp_path, everyday=everyday, everyday_mass=1.0)


@pytest.mark.parametrize("sentence", ["my hamstring is very tight", "my back is in spasm again"])
def test_an_everyday_word_the_examples_lack_is_heard(
    tmp_path: Path, say: Say, sentence: str
) -> None:
    """ "very" and "again" are in no domain sentence: without the everyday words the
    recognizer has no word for them."""
    model = build_language_model(DOMAIN_SENTENCES, tmp_path, everyday=everyday_words())
    heard = hear(PocketsphinxRecognizer(model), say(sentence, engine="piper")).transcript
    assert heard.text == sentence
    assert not {"very", "again"} & {w for s in DOMAIN_SENTENCES for w in s.split()}


def test_make_recognizer_finds_the_trained_model(tmp_path: Path, say: Say) -> None:
    build_language_model(DOMAIN_SENTENCES, tmp_path / "pocketsphinx")
    recognizer = make_recognizer("pocketsphinx", tmp_path)
    assert hear(recognizer, say("my hamstring is tight", engine="piper")).transcript.text == (
        "my hamstring is tight"
    )


def test_a_spare_recognizer_skips_the_second_pass_and_still_hears(tmp_path: Path, say: Say) -> None:
    """The listener's second opinion (`spare`) decodes with the first pass only: its
    decode holds up the stream."""
    build_language_model(DOMAIN_SENTENCES, tmp_path / "pocketsphinx")
    spare = make_recognizer("pocketsphinx", tmp_path, spare=True)
    assert isinstance(spare, PocketsphinxRecognizer)
    assert spare._decoder.config["fwdflat"] is False
    assert make_recognizer("pocketsphinx", tmp_path)._decoder.config["fwdflat"] is True  # type: ignore[attr-defined]
    heard = hear(spare, say("my hamstring is tight", engine="piper")).transcript
    assert heard.text == "my hamstring is tight"
    assert heard.words[-1].confidence > 0.5


def test_build_needs_sentences(tmp_path: Path) -> None:
    with pytest.raises(ContentError):
        build_language_model(["", " ?! "], tmp_path)


@pytest.mark.parametrize("voice", VOICES)
@pytest.mark.parametrize("sentence", DOMAIN_SENTENCES[:3])
def test_domain_sentences_are_recognized(
    recognizer: PocketsphinxRecognizer, say: Say, sentence: str, voice: dict[str, str]
) -> None:
    heard = hear(recognizer, say(sentence, **voice))
    assert heard.transcript.text == sentence
    assert 0.5 < heard.transcript.confidence <= 1.0


def test_word_accuracy_over_the_domain_sentences(
    recognizer: PocketsphinxRecognizer, say: Say
) -> None:
    accuracy = [
        word_accuracy(s, hear(recognizer, say(s, engine="piper")).transcript.text)
        for s in DOMAIN_SENTENCES
    ]
    assert sum(accuracy) / len(accuracy) >= 0.95


def test_partials_grow_while_listening(recognizer: PocketsphinxRecognizer, say: Say) -> None:
    heard = hear(recognizer, say("how long should i put ice on it", engine="piper"))
    assert len(heard.partials) >= 3
    assert heard.partials[0] != heard.transcript.text
    assert heard.partials[-1].split()[:3] == ["how", "long", "should"]


def test_words_are_timed_from_the_utterance_start(recognizer: PocketsphinxRecognizer, say) -> None:
    sample = say("my back is in spasm", engine="piper")
    words = hear(recognizer, sample).transcript.words
    assert [w.text for w in words] == ["my", "back", "is", "in", "spasm"]
    assert words[0].start_s == pytest.approx(sample.speech_start_s, abs=0.15)
    assert words[-1].end_s == pytest.approx(sample.speech_end_s, abs=0.15)
    assert all(a.end_s <= b.start_s + 1e-6 for a, b in itertools.pairwise(words))
    assert all(0.0 <= w.confidence <= 1.0 for w in words)


def test_transcript_reports_audio_and_alternatives(recognizer: PocketsphinxRecognizer, say) -> None:
    sample = say("is this serious", engine="espeak")
    transcript = hear(recognizer, sample).transcript
    assert transcript.audio_seconds == pytest.approx(sample.duration_s, abs=0.01)
    assert transcript.text not in transcript.alternatives
    assert 1 <= len(transcript.alternatives) <= 3


def test_reset_drops_the_utterance_in_progress(
    recognizer: PocketsphinxRecognizer, say: Say
) -> None:
    first = pcm16(say("should i see an osteopath", engine="piper"))
    recognizer.accept(first[: len(first) // 2])
    recognizer.reset()
    assert hear(recognizer, say("stop", engine="piper")).transcript.text == "stop"


def test_finish_without_audio_is_empty(recognizer: PocketsphinxRecognizer) -> None:
    transcript = recognizer.finish()
    assert (transcript.text, transcript.confidence, transcript.audio_seconds) == ("", 0.0, 0.0)


def test_odd_byte_count_is_refused(recognizer: PocketsphinxRecognizer) -> None:
    with pytest.raises(RecognizerError):
        recognizer.accept(b"\x00\x01\x02")
    recognizer.reset()


# --- per-turn grammars --------------------------------------------------------------------


@pytest.mark.parametrize("word", YES_NO_NUMBERS)
def test_grammar_hears_yes_no_and_numbers(
    grammar_recognizer: PocketsphinxRecognizer, say: Say, word: str
) -> None:
    grammar_recognizer.restrict(YES_NO_NUMBERS)
    transcript = hear(grammar_recognizer, say(word, engine="piper")).transcript
    assert transcript.text == word
    assert transcript.confidence > 0.5


def test_grammar_is_compact(grammar_recognizer: PocketsphinxRecognizer) -> None:
    grammar_recognizer.restrict(YES_NO_NUMBERS)
    grammar = grammar_recognizer.grammar
    assert grammar is not None and grammar.n_states == 2


def test_grammar_returns_whole_phrases(
    grammar_recognizer: PocketsphinxRecognizer, say: Say
) -> None:
    phrases = ["set a timer for five minutes", "set a timer for ten minutes", "cancel the timer"]
    grammar_recognizer.restrict(phrases)
    for phrase in phrases:
        assert hear(grammar_recognizer, say(phrase, engine="piper")).transcript.text == phrase


@pytest.mark.parametrize("word", ["diazepam", "paracetamol", "naproxen", "celebrex"])
def test_grammar_words_missing_from_the_dictionary_get_pronounced(say: Say, word: str) -> None:
    # The built-in dictionary (CMUdict) lacks these words: restrict() pronounces them.
    generic = PocketsphinxRecognizer()
    generic.restrict(["diazepam", "paracetamol", "naproxen", "celebrex", "ibuprofen", "tylenol"])
    for voice in ({"engine": "piper"}, {"engine": "espeak"}):
        assert hear(generic, say(word, **voice)).transcript.text == word


@pytest.mark.parametrize(
    "utterance", ["my back is in spasm", "how long should i put ice on it", "i can't feel my legs"]
)
def test_speech_outside_the_grammar_gets_low_confidence(
    grammar_recognizer: PocketsphinxRecognizer, say: Say, utterance: str
) -> None:
    grammar_recognizer.restrict(YES_NO_NUMBERS)
    transcript = hear(grammar_recognizer, say(utterance, engine="piper")).transcript
    assert transcript.confidence < 0.5


def test_lifting_the_grammar_restores_the_language_model(
    grammar_recognizer: PocketsphinxRecognizer, say: Say
) -> None:
    grammar_recognizer.restrict(YES_NO_NUMBERS)
    grammar_recognizer.restrict(None)
    assert grammar_recognizer.grammar is None
    heard = hear(grammar_recognizer, say("my back is in spasm", engine="piper"))
    assert heard.transcript.text == "my back is in spasm"


def test_restrict_drops_the_utterance_in_progress(
    grammar_recognizer: PocketsphinxRecognizer, say: Say
) -> None:
    pcm = pcm16(say("my back is in spasm", engine="piper"))
    grammar_recognizer.accept(pcm)
    grammar_recognizer.restrict(["yes", "no"])
    assert hear(grammar_recognizer, say("no", engine="piper")).transcript.text == "no"


def test_old_grammars_are_evicted_and_rebuilt(
    grammar_recognizer: PocketsphinxRecognizer, say: Say
) -> None:
    grammars = [("yes", "no", *NUMBERS[:k]) for k in range(11)]
    grammars += [("yes", n) for n in NUMBERS] + [
        ("no", a, b) for a in NUMBERS[:4] for b in NUMBERS[:4]
    ]
    for phrases in grammars:  # 38 grammars: more than are kept
        grammar_recognizer.restrict(phrases)
    grammar_recognizer.restrict(grammars[0])
    assert hear(grammar_recognizer, say("yes", engine="piper")).transcript.text == "yes"


def test_empty_grammar_is_refused(grammar_recognizer: PocketsphinxRecognizer) -> None:
    with pytest.raises(RecognizerError):
        grammar_recognizer.restrict(["", "!"])


# --- loading --------------------------------------------------------------------------------


def test_missing_model_files_name_the_file(tmp_path: Path) -> None:
    files = LanguageModelFiles(tmp_path / "domain.lm", tmp_path / "domain.dict")
    with pytest.raises(ModelMissing, match=r"domain\.lm"):
        PocketsphinxRecognizer(files)


def test_garbage_model_files_raise_model_missing(tmp_path: Path) -> None:
    lm, dic = tmp_path / "domain.lm", tmp_path / "domain.dict"
    lm.write_bytes(b"\x00garbage\xff" * 100)
    dic.write_text("hello HH AH L OW\n")
    with pytest.raises(ModelMissing, match="could not load"):
        PocketsphinxRecognizer(LanguageModelFiles(lm, dic))
