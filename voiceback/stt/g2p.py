"""Pronunciations for words missing from CMUdict, from espeak-ng's phonemes.

espeak-ng's rule-based English front end (`espeak-ng -v en-us -q -x --sep=_`) prints
its phoneme mnemonics, e.g. ``diazepam`` -> ``d_'aI_@_z_,E_p_a_m``. `ESPEAK_TO_CMU` maps
every mnemonic it emits for US English onto the CMU (ARPAbet, stressless) phone set of
pocketsphinx's acoustic model; stress and syllable marks are dropped.

Checked against CMUdict itself (6,000 words, every 20th entry, mostly names): 11% phone
error rate, 57% of words identical. For the domain's missing words it gives, for
example, diazepam = D AY AH Z EH P AE M, sacroiliac = S AE K R OY L IY AE K.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Sequence

from voiceback.types import ModelMissing, RecognizerError

ESPEAK_TO_CMU: dict[str, str] = {
    # consonants
    "p": "P", "b": "B", "t": "T", "d": "D", "k": "K", "g": "G", "f": "F", "v": "V",
    "T": "TH", "D": "DH", "s": "S", "z": "Z", "S": "SH", "Z": "ZH", "h": "HH",
    "m": "M", "n": "N", "N": "NG", "l": "L", "r": "R", "w": "W", "j": "Y",
    "tS": "CH", "dZ": "JH", "t#": "T", "t2": "T", "d#": "D", "?": "T", "x": "K",
    "n-": "AH N", "l-": "AH L", "r-": "R", "C": "HH",
    # vowels
    "a": "AE", "aa": "AE", "a#": "AH", "A:": "AA", "A@": "AA R", "0": "AA",
    "O": "AO", "O:": "AO", "O2": "AO", "O@": "AO R", "o@": "AO R", "o": "OW",
    "@": "AH", "@-": "AH", "@2": "AH", "@5": "AH", "@L": "AH L",
    "3": "ER", "3:": "ER", "E": "EH", "E2": "EH", "e": "EH", "e@": "EH R", "E@": "EH R",
    "I": "IH", "I2": "IH", "I#": "IH", "i": "IY", "i:": "IY", "i@": "IY AH", "i@3": "IH R",
    "U": "UH", "U@": "UH R", "u:": "UW", "V": "AH",
    "aI": "AY", "aI@": "AY AH", "aI3": "AY ER", "aU": "AW", "aU@": "AW ER",
    "eI": "EY", "oU": "OW", "OI": "OY",
}  # fmt: skip
"""espeak-ng en-us phoneme mnemonic -> CMU phones (space-separated)."""

_STRESS = "',%="
_TIMEOUT_S = 60.0


def espeak_pronunciations(words: Sequence[str], voice: str = "en-us") -> dict[str, str]:
    """CMU phone strings for `words` (lower-case, no spaces), one espeak-ng run for all.

    Raises ModelMissing if espeak-ng is not installed, RecognizerError if it fails or
    a word comes back without phones.
    """
    if not words:
        return {}
    exe = shutil.which("espeak-ng")
    if exe is None:
        raise ModelMissing(
            "espeak-ng is not installed; it is needed to pronounce words missing from "
            f"the dictionary: {', '.join(words)} (apt install espeak-ng)"
        )
    # One word per line, each ended by a full stop: espeak-ng prints one line per clause.
    text = "".join(f"{w}.\n" for w in words)
    try:
        done = subprocess.run(
            [exe, "-v", voice, "-q", "-x", "--sep=_"],
            input=text, capture_output=True, text=True, check=True, timeout=_TIMEOUT_S,
        )  # fmt: skip
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as err:
        raise RecognizerError(f"espeak-ng failed to pronounce {', '.join(words)}") from err
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    if len(lines) != len(words):
        raise RecognizerError(
            f"espeak-ng returned {len(lines)} pronunciations for {len(words)} words"
        )
    result = {word: espeak_to_cmu(line) for word, line in zip(words, lines, strict=True)}
    empty = [word for word, phones in result.items() if not phones]
    if empty:
        raise RecognizerError(f"espeak-ng gave no phones for {', '.join(empty)}")
    return result


def espeak_to_cmu(mnemonics: str) -> str:
    """Map one line of `espeak-ng -x --sep=_` output onto CMU phones.

    Unknown mnemonics are skipped (they are rare: foreign sounds in names).
    """
    phones: list[str] = []
    for token in mnemonics.replace(" ", "_").split("_"):
        symbol = token.lstrip(_STRESS).rstrip(";|")
        # An r-coloured schwa already ends in R: don't double the r.
        if symbol == "r-" and phones and phones[-1] in ("R", "ER"):
            continue
        phones.extend(ESPEAK_TO_CMU.get(symbol, "").split())
    return " ".join(phones)
