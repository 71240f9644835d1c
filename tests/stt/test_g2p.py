"""espeak-ng phonemes mapped onto CMU phones, for words CMUdict lacks."""

from __future__ import annotations

from pathlib import Path

import pytest

from voiceback.stt.g2p import espeak_pronunciations, espeak_to_cmu
from voiceback.stt.lexicon import read_pronunciations
from voiceback.stt.pocketsphinx import cmudict_path
from voiceback.types import ModelMissing

CMU_PHONES = {
    "AA", "AE", "AH", "AO", "AW", "AY", "B", "CH", "D", "DH", "EH", "ER", "EY", "F", "G", "HH",
    "IH", "IY", "JH", "K", "L", "M", "N", "NG", "OW", "OY", "P", "R", "S", "SH", "T", "TH", "UH",
    "UW", "V", "W", "Y", "Z", "ZH",
}  # fmt: skip


def test_domain_words_get_plausible_pronunciations() -> None:
    got = espeak_pronunciations(["diazepam", "sacroiliac", "paracetamol", "tingly", "naproxen"])
    assert got == {
        "diazepam": "D AY AH Z EH P AE M",
        "sacroiliac": "S AE K R OY L IY AE K",
        "paracetamol": "P AE R AH S EH T AH M AA L",
        "tingly": "T IH NG L IY",
        "naproxen": "N AE P R AA K S AH N",
    }


def test_every_phone_is_in_the_acoustic_models_set() -> None:
    words = ["flexors", "relaxant", "osteopath", "celebrex", "chiropractor", "10", "cushion's"]
    for phones in espeak_pronunciations(words).values():
        assert set(phones.split()) <= CMU_PHONES


def test_close_to_cmudict_on_common_words() -> None:
    words = ["spasm", "ibuprofen", "hamstring", "stretch", "shoulder", "breathing", "tylenol"]
    reference = read_pronunciations(cmudict_path(), words)
    got = espeak_pronunciations(words)
    exact = sum(got[w] in reference[w] for w in words)
    assert exact >= 5


def test_stress_marks_and_r_colouring() -> None:
    assert espeak_to_cmu("s_p_'a_z_@_m") == "S P AE Z AH M"
    assert espeak_to_cmu("a_k_s_'E_n_tS_3_r-") == "AE K S EH N CH ER"
    assert espeak_to_cmu("l_'aI_;_,a") == "L AY AE"


def test_no_words_no_work() -> None:
    assert espeak_pronunciations([]) == {}


def test_missing_espeak_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(ModelMissing, match="espeak-ng is not installed"):
        espeak_pronunciations(["diazepam"])
