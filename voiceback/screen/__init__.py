"""The kiosk screen: a local page showing the conversation live, with four buttons.

`start_screen` (for `voiceback run`, `start` and `chat`) puts the assistant's events
on an EventBus, serves the page on 127.0.0.1:[screen] port, and turns a button press
into a text turn that the conversation's own loop answers (Assistant.submit_text).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from voiceback.events import EventBus
from voiceback.screen.server import BUTTONS, LOCALHOST, ScreenError, ScreenServer
from voiceback.types import Event

if TYPE_CHECKING:
    from voiceback.assistant import Assistant
    from voiceback.config import Settings

__all__ = [
    "BUTTONS",
    "LOCALHOST",
    "ScreenError",
    "ScreenServer",
    "observe",
    "presser",
    "start_screen",
]

log = logging.getLogger(__name__)


def observe(assistant: Assistant, bus: EventBus) -> None:
    """Publish the assistant's events on `bus`, after whatever on_event did already."""
    before = assistant.on_event

    def both(event: Event) -> None:
        before(event)
        bus.publish(event)

    assistant.on_event = both


def presser(assistant: Assistant) -> Callable[[str], None]:
    """What a button press does: its text turn is queued for the conversation's loop;
    Stop also cuts the speech short at once, as saying "stop" would."""

    def press(name: str) -> None:
        if name == "stop" and assistant.speaker is not None:
            assistant.speaker.stop()
        assistant.submit_text(BUTTONS[name])

    return press


def start_screen(settings: Settings, assistant: Assistant) -> ScreenServer | None:
    """The screen for this assistant when [screen] enabled; None, with a warning, when
    it cannot be served (the port is taken): voiceback goes on without it."""
    if not settings.screen_enabled:
        return None
    bus = EventBus()
    try:
        server = ScreenServer(bus, presser(assistant), port=settings.screen_port)
    except ScreenError as err:
        log.warning("%s; going on without the screen", err)
        return None
    observe(assistant, bus)
    return server.start()
