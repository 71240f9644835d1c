"""The conversation: Understanding -> Reply, routines step by step, timers and the log.

`Dialog.respond` answers a turn; `Dialog.due` says what the clock has brought (breathing
cues, hold counts, timer reminders, the one check-in). It speaks no audio and touches
no device.
"""

from __future__ import annotations

from voiceback.dialog.activities import Spoken
from voiceback.dialog.answers import NOT_CAUGHT, SUGGESTIONS
from voiceback.dialog.core import ASK_MINUTES, ASK_PAIN, CHECK_IN, CHECK_IN_S, OFFER_ICE, Dialog

DISCLAIMER = (
    "Before we start: I'm a voice coach, not a doctor. "
    "I share general advice from an article about back spasms. "
    "If something feels serious, call your doctor."
)

__all__ = [
    "ASK_MINUTES",
    "ASK_PAIN",
    "CHECK_IN",
    "CHECK_IN_S",
    "DISCLAIMER",
    "NOT_CAUGHT",
    "OFFER_ICE",
    "SUGGESTIONS",
    "Dialog",
    "Spoken",
]
