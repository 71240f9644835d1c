"""Answers from the intents' responses: varied, never the same twice in a row."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from voiceback.knowledge import Intent, Knowledge
from voiceback.types import ACTIONS, Reply

NOT_CAUGHT = "Sorry, I didn't catch that."
SUGGESTIONS = (
    "how do I stop a spasm",
    "is this serious",
    "help me breathe",
    "should I use heat or ice",
    "what stretches can I do",
    "help",
)


@dataclass(slots=True)
class Answers:
    knowledge: Knowledge
    rng: random.Random
    topic: str = ""
    """The last guidance intent answered, for "tell me more"."""
    _last_pick: dict[str, int] = field(default_factory=dict)

    def answer(self, intent: str, prefer: tuple[str, ...] = ()) -> Reply:
        info = self.knowledge.intents[intent]
        text = self.pick(info, info.responses, prefer)
        if info.source:
            self.topic = intent
        return Reply(
            text=text,
            intent=intent,
            red_flag=intent == "red_flag",
            source=info.source,
            action=intent if intent in ACTIONS else "",
        )

    def pick(self, info: Intent, texts: tuple[str, ...], prefer: tuple[str, ...] = ()) -> str:
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

    def more(self) -> Reply:
        if not self.topic:
            return self.answer("more")
        info = self.knowledge.intents[self.topic]
        text = self.pick(info, info.more)
        return Reply(text=text, intent="more", red_flag=info.name == "red_flag", source=info.source)

    def not_caught(self) -> Reply:
        first, second = self.rng.sample(SUGGESTIONS, 2)
        text = f"{NOT_CAUGHT} You could say: {first}. Or: {second}."
        return Reply(text=text, intent="fallback")
