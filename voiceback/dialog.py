"""The conversation: Understanding -> Reply, with the little state a talk needs.

It picks a varied answer from the intent's responses, says the detail on "more",
repeats the last reply, asks for a missing slot, logs pain, and never lets anything
bury a red flag. It speaks no audio and touches no device: actions such as "slower"
go back to the caller in Reply.action.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from voiceback.knowledge import Intent, Knowledge
from voiceback.store import Store
from voiceback.types import ACTIONS, Reply, StoreError, Understanding

DISCLAIMER = (
    "Before we start: I'm a voice coach, not a doctor. "
    "I share general advice from an article about back spasms. "
    "If something feels serious, call your doctor."
)
NOT_CAUGHT = "Sorry, I didn't catch that."
SUGGESTIONS = (
    "how do I stop a spasm",
    "is this serious",
    "help me breathe",
    "should I use heat or ice",
    "what stretches can I do",
    "help",
)
BODY_WORDS = {
    "lower_back": ("lower back", "low back"),
    "hip_flexors": ("hip",),
    "calf": ("calf",),
    "hamstring": ("hamstring",),
    "neck": ("neck",),
    "upper_back": ("upper back", "shoulder"),
}
ASK_MINUTES = "How many minutes should the timer be?"
ASK_PAIN = "What number is your pain, from 0 for none to 10 for the worst?"


@dataclass(slots=True)
class Dialog:
    knowledge: Knowledge
    store: Store | None = None
    rng: random.Random = field(default_factory=lambda: random.Random(0))
    last: Reply | None = None
    topic: str = ""
    """The last guidance intent answered, for "tell me more"."""
    _last_pick: dict[str, int] = field(default_factory=dict)

    def respond(self, heard: Understanding) -> Reply:
        reply = self._respond(heard)
        if heard.intent != "repeat" or self.last is None:
            self.last = reply
        return reply

    def _respond(self, heard: Understanding) -> Reply:
        if heard.red_flag:
            return self._answer("red_flag")
        if heard.fallback:
            return self.not_caught()
        intent = heard.intent
        if intent == "repeat" and self.last is not None:
            return self.last
        if intent == "more":
            return self._more()
        if intent == "set_timer":
            return self._timer(heard)
        if intent == "log_pain":
            return self._log_pain(heard)
        if intent == "stretches" and "body_part" in heard.slots:
            return self._answer(intent, prefer=BODY_WORDS.get(str(heard.slots["body_part"]), ()))
        return self._answer(intent)

    def not_caught(self) -> Reply:
        first, second = self.rng.sample(SUGGESTIONS, 2)
        text = f"{NOT_CAUGHT} You could say: {first}. Or: {second}."
        return Reply(text=text, intent="fallback")

    def _answer(self, intent: str, prefer: tuple[str, ...] = ()) -> Reply:
        info = self.knowledge.intents[intent]
        text = self._pick(info, info.responses, prefer)
        if info.source:
            self.topic = intent
        action = intent if intent in ACTIONS else ""
        return Reply(
            text=text,
            intent=intent,
            red_flag=intent == "red_flag",
            source=info.source,
            action=action,
        )

    def _pick(self, info: Intent, texts: tuple[str, ...], prefer: tuple[str, ...] = ()) -> str:
        """A varied pick: never the same variant twice in a row; preferred words first."""
        choices = list(range(len(texts)))
        preferred = [i for i in choices if any(w in texts[i].lower() for w in prefer)]
        if preferred:
            choices = preferred
        last = self._last_pick.get(info.name)
        if len(choices) > 1 and last in choices:
            choices.remove(last)
        index = self.rng.choice(choices)
        self._last_pick[info.name] = index
        return texts[index]

    def _more(self) -> Reply:
        if not self.topic:
            return self._answer("more")
        info = self.knowledge.intents[self.topic]
        text = self._pick(info, info.more)
        return Reply(text=text, intent="more", red_flag=info.name == "red_flag", source=info.source)

    def _timer(self, heard: Understanding) -> Reply:
        minutes = heard.slots.get("minutes")
        if not isinstance(minutes, int) or minutes <= 0:
            return Reply(text=ASK_MINUTES, intent="set_timer")
        reply = self._answer("set_timer")
        return Reply(text=reply.text.format(minutes=minutes), intent="set_timer")

    def _log_pain(self, heard: Understanding) -> Reply:
        level = heard.slots.get("pain_level")
        if not isinstance(level, int):
            return Reply(text=ASK_PAIN, intent="log_pain")
        if self.store is not None:
            try:
                self.store.log_pain(level)
            except StoreError:
                return Reply(text="Sorry, I couldn't write that down just now.", intent="log_pain")
        reply = self._answer("log_pain")
        return Reply(text=reply.text.format(pain_level=level), intent="log_pain")
