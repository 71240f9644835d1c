"""pocketsphinx: the embedded English recognizer (acoustic model and CMUdict in its wheel).

Two searches share one decoder:
- the language model: a trigram model built by `build_language_model` from the intents'
  example sentences (pocketsphinx's own ARPA builder, `pocketsphinx.lm`), over a compact
  dictionary of those words, with espeak-ng pronunciations for words CMUdict lacks, plus
  the 1,500 likeliest words of the generic English model in the wheel as unigrams with
  3% of the probability (`everyday_words`): people say words the examples never use
  ("seriously", "wonderful"), and a word outside the model can't be heard at all;
  bestpath is on, so the lattice gives word posteriors. The model stays ARPA text: it
  loads in well under 0.1 s, and a binary written by `NGramModel.readfile(...).write()`
  once came out with every probability zero. The compact dictionary matters: the full
  CMUdict with a small domain model took 14-16 s to load;
- per-turn grammars (`restrict`): the phrase list compiled into a minimal finite-state
  grammar (`stt/grammar.py`), searched with bestpath off (issue 3's trial: bestpath on a
  grammar search returned unfinished sentences and cost 4-6 times the CPU).

Confidence (0..1, an estimate that the transcript is what was said):
- language model: the mean lattice posterior of the words (as Vosk's word `conf`);
- grammar: no lattice, so the words' acoustic score per frame and the share of the loud
  frames the words cover, mapped by a fitted logistic (`stt/confidence.py`).

Audio gets a faint noise floor (-60 dBFS) before decoding: exact digital zeros, as in
noise-gated or synthesized audio, made pocketsphinx miss words (issue 3's trial).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import pocketsphinx as ps
from pocketsphinx.lm import ArpaBoLM

from voiceback.stt.confidence import GrammarEvidence, coverage, grammar_confidence
from voiceback.stt.g2p import espeak_pronunciations
from voiceback.stt.grammar import Grammar, compile_phrases, phrase_words
from voiceback.stt.levels import FrameLevels, NoiseFloor
from voiceback.stt.lexicon import base_word, build_lexicon, read_pronunciations, write_dictionary
from voiceback.types import (
    SAMPLE_RATE_HZ,
    ContentError,
    ModelMissing,
    RecognizerError,
    Transcript,
    Word,
)

LM_FILE = "domain.lm"
DICT_FILE = "domain.dict"
_FILLER_PREFIXES = ("<", "[", "+")
EVERYDAY_WORDS = 1500
"""How many of the generic English model's likeliest words the domain model also holds.
On the last 445 Piper checks, clean, word error rate 16.6% without, 16.0% with 1,500 and
15.5% with 5,000; decoding CPU the same with 1,500, a quarter more with 5,000."""
EVERYDAY_MASS = 0.03
"""Their share of the domain model's unigram probability (by their generic probability)."""
_PLAIN_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")
_LOG_BASE = 1.0001
"""pocketsphinx's default log base, the unit of `NGramModel.prob`."""
_MAX_GRAMMARS = 32
_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class LanguageModelFiles:
    """A domain language model and the dictionary covering its words."""

    lm_path: Path
    dict_path: Path
    generated: tuple[str, ...] = ()
    """Words missing from CMUdict, pronounced by espeak-ng (reported at train time)."""


def cmudict_path() -> Path:
    return Path(ps.get_model_path("en-us/cmudict-en-us.dict"))


def find_language_model(folder: Path) -> LanguageModelFiles | None:
    """The model `build_language_model` wrote into `folder`, if it is there."""
    lm_path, dict_path = folder / LM_FILE, folder / DICT_FILE
    return LanguageModelFiles(lm_path, dict_path) if lm_path.is_file() else None


def everyday_words(limit: int = EVERYDAY_WORDS) -> dict[str, float]:
    """The `limit` likeliest plain words (CMUdict's) of the generic English model in
    pocketsphinx's wheel (`en-us.lm.bin`), with their unigram probabilities."""
    generic = ps.NGramModel.readfile(ps.get_model_path("en-us/en-us.lm.bin"))
    unknown = generic.prob(["<no-such-word>"])
    scores: dict[str, int] = {}
    with cmudict_path().open(encoding="utf-8") as lines:
        for line in lines:
            word = base_word(line.partition(" ")[0])
            if word not in scores and _PLAIN_WORD.fullmatch(word):
                scores[word] = generic.prob([word])
    known = sorted((w for w, score in scores.items() if score > unknown), key=scores.__getitem__)
    return {w: _LOG_BASE ** scores[w] for w in reversed(known[-limit:])} if limit > 0 else {}


def build_language_model(
    sentences: Iterable[str],
    out_dir: Path,
    *,
    extra_words: Iterable[str] = (),
    everyday: Mapping[str, float] | None = None,
    everyday_mass: float = EVERYDAY_MASS,
) -> LanguageModelFiles:
    """Build a trigram model of `sentences` and a dictionary of its words in `out_dir`.

    `extra_words` (e.g. every grammar's words) go into the dictionary only. `everyday`
    words (word -> probability, `everyday_words()`) the sentences lack become unigrams
    sharing `everyday_mass` of the unigram probability. Words that CMUdict lacks get
    espeak-ng pronunciations and are listed in the result's `generated`.
    """
    texts = [" ".join(words) for s in sentences if (words := phrase_words(s))]
    if not texts:
        raise ContentError("no sentences to build a language model from")
    if not 0.0 <= everyday_mass < 1.0:
        raise ValueError(f"everyday_mass must be in 0..1, got {everyday_mass}")
    arpa = ArpaBoLM(text="\n".join(texts), add_start=True)
    vocabulary = {w for t in texts for w in t.split()}
    vocabulary |= _add_unigrams(arpa, everyday or {}, everyday_mass)
    vocabulary |= {w for text in extra_words for w in phrase_words(text)}
    lexicon = build_lexicon(vocabulary, cmudict_path())
    out_dir.mkdir(parents=True, exist_ok=True)
    dict_path, lm_path = out_dir / DICT_FILE, out_dir / LM_FILE
    write_dictionary(_tmp(dict_path), lexicon.entries)
    arpa.compute()
    with _tmp(lm_path).open("w", encoding="utf-8") as out:
        arpa.write(out)
    os.replace(_tmp(dict_path), dict_path)
    os.replace(_tmp(lm_path), lm_path)
    return LanguageModelFiles(lm_path, dict_path, lexicon.generated)


def _add_unigrams(arpa: ArpaBoLM, words: Mapping[str, float], mass: float) -> set[str]:
    """Give `arpa` the `words` it lacks as unigrams only, with counts that make them
    `mass` of the unigram probability, each in proportion to its probability."""
    new = {w: p for w, p in words.items() if w not in arpa.grams_1 and p > 0}
    if not new or mass <= 0:
        return set()
    total = sum(arpa.grams_1.values()) * mass / (1.0 - mass)
    norm = sum(new.values())
    for word, probability in new.items():
        arpa.grams_1[word] = total * probability / norm
    return set(new)


def _tmp(path: Path) -> Path:
    return path.with_name(path.name + ".tmp")


class PocketsphinxRecognizer:
    """The `Recognizer` on pocketsphinx; see the module docstring for the searches."""

    def __init__(
        self,
        model: LanguageModelFiles | None = None,
        *,
        noise_floor_dbfs: float | None = -60.0,
        n_best: int = 3,
        second_pass: bool = True,
    ) -> None:
        """`second_pass` False skips the flat-lexicon pass of the language-model search:
        on 80 held-out checks (model from all intents' examples) about 28% less CPU for
        1.7 points less word accuracy with Piper's voice, none with espeak-ng's.
        """
        self._decoder = _load_decoder(model, second_pass)
        self._noise = NoiseFloor(noise_floor_dbfs)
        self._n_best = n_best
        self._frame_rate = float(self._decoder.config["frate"])
        self._levels = FrameLevels(round(SAMPLE_RATE_HZ / self._frame_rate))
        self._searches: dict[tuple[tuple[str, ...], ...], str] = {}
        self._grammar_count = 0
        self._grammar: Grammar | None = None
        self._in_utterance = False
        self._samples = 0
        self.last_evidence: GrammarEvidence | None = None
        """What the last grammar utterance's confidence came from (for calibration)."""

    @property
    def grammar(self) -> Grammar | None:
        """The active per-turn grammar, None while the language model is in use."""
        return self._grammar

    def accept(self, pcm: bytes) -> str | None:
        if not self._in_utterance:
            self._samples = 0
            self._levels.clear()
            self._call(self._decoder.start_utt)
            self._in_utterance = True
        if pcm:
            samples = self._noise.add(pcm)
            self._levels.add(samples)
            self._call(self._decoder.process_raw, samples.tobytes())
            self._samples += samples.size
        hyp = self._decoder.hyp()
        return hyp.hypstr if hyp is not None and hyp.hypstr else None

    def finish(self) -> Transcript:
        seconds = self._samples / SAMPLE_RATE_HZ
        self.last_evidence = None
        if not self._in_utterance:
            return Transcript(text="", confidence=0.0, audio_seconds=0.0)
        self._in_utterance = False
        self._call(self._decoder.end_utt)
        hyp = self._decoder.hyp()
        segments = [s for s in self._decoder.seg() or () if not s.word.startswith(_FILLER_PREFIXES)]
        if hyp is None or not hyp.hypstr.strip() or not segments:
            return Transcript(text="", confidence=0.0, audio_seconds=seconds)
        confidence = self._confidence(segments)
        words = tuple(self._word(s, confidence) for s in segments)
        return Transcript(
            text=hyp.hypstr,
            confidence=confidence,
            audio_seconds=seconds,
            words=words,
            alternatives=self._alternatives(hyp.hypstr),
        )

    def reset(self) -> None:
        if self._in_utterance:
            self._in_utterance = False
            self._call(self._decoder.end_utt)
        self._samples = 0

    def restrict(self, phrases: Sequence[str] | None) -> None:
        self.reset()
        if phrases is None:
            self._decoder.activate_search(None)
            self._grammar = None
            return
        try:
            grammar = compile_phrases(phrases)
        except ValueError as err:
            raise RecognizerError(str(err)) from err
        name = self._searches.get(grammar.phrases) or self._add_grammar(grammar)
        self._decoder.activate_search(name)
        self._grammar = grammar

    def _add_grammar(self, grammar: Grammar) -> str:
        self._add_words(grammar.words)
        if len(self._searches) >= _MAX_GRAMMARS:
            oldest = next(iter(self._searches))
            self._decoder.remove_search(self._searches.pop(oldest))
        self._grammar_count += 1
        name = f"grammar-{self._grammar_count}"
        arcs = [(a.source, a.target, a.probability, a.word) for a in grammar.arcs]
        fsg = self._decoder.create_fsg(name, grammar.start, grammar.final, arcs)
        config = self._decoder.config
        config["bestpath"] = False  # read once, when the search is created
        try:
            self._decoder.add_fsg(name, fsg)
        except RuntimeError as err:
            raise RecognizerError(f"pocketsphinx rejected the grammar {name}") from err
        finally:
            config["bestpath"] = True
        self._searches[grammar.phrases] = name
        return name

    def _add_words(self, words: Iterable[str]) -> None:
        """Give the decoder pronunciations (CMUdict, else espeak-ng) for unknown words."""
        missing = sorted(w for w in words if self._decoder.lookup_word(w) is None)
        if not missing:
            return
        entries = read_pronunciations(cmudict_path(), missing)
        generated = espeak_pronunciations([w for w in missing if w not in entries])
        entries.update({word: (phones,) for word, phones in generated.items()})
        for i, word in enumerate(missing):
            last = i == len(missing) - 1
            self._call(self._decoder.add_word, word, entries[word][0], last)

    def _confidence(self, segments: Sequence[ps.Segment]) -> float:
        """Mean word posterior (language model), else the grammar evidence mapped."""
        if self._grammar is None:
            return sum(min(1.0, s.prob) for s in segments) / len(segments)
        if any(s.ascore <= 0.0 for s in segments):
            return 0.0  # the score underflowed: far too poor a match to weigh
        log = self._decoder.logmath.log
        frames = sum(s.end_frame - s.start_frame + 1 for s in segments)
        spans = [(s.start_frame, s.end_frame) for s in segments]
        self.last_evidence = GrammarEvidence(
            score=sum(log(s.ascore) for s in segments) / max(frames, 1),
            coverage=coverage(self._levels.levels(), spans),
        )
        return grammar_confidence(self.last_evidence)

    def _word(self, segment: ps.Segment, confidence: float) -> Word:
        return Word(
            text=base_word(segment.word),
            start_s=segment.start_frame / self._frame_rate,
            end_s=(segment.end_frame + 1) / self._frame_rate,
            confidence=min(1.0, segment.prob) if self._grammar is None else confidence,
        )

    def _alternatives(self, best: str) -> tuple[str, ...]:
        if self._n_best <= 0:
            return ()
        seen = {best}
        found: list[str] = []
        for hyp in self._decoder.nbest() or ():
            if hyp is None:
                continue
            text = " ".join(hyp.hypstr.split())
            if text and text not in seen:
                seen.add(text)
                found.append(text)
                if len(found) == self._n_best:
                    break
        return tuple(found)

    @staticmethod
    def _call(method: Callable[..., _T], *args: object) -> _T:
        try:
            return method(*args)
        except RuntimeError as err:
            raise RecognizerError(f"pocketsphinx failed: {err}") from err


def _load_decoder(model: LanguageModelFiles | None, second_pass: bool) -> ps.Decoder:
    files: dict[str, str] = {}
    if model is not None:
        for path in (model.lm_path, model.dict_path):
            if not path.is_file():
                raise ModelMissing(f"{path} is missing: run voiceback train to build it")
        files = {"lm": str(model.lm_path), "dict": str(model.dict_path)}
    try:
        return ps.Decoder(loglevel="FATAL", bestpath=True, fwdflat=second_pass, **files)
    except (RuntimeError, ValueError) as err:
        where = ", ".join(files.values()) or "its built-in English model"
        raise ModelMissing(f"pocketsphinx could not load {where}") from err
