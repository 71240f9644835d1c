"""Start-up of `voiceback run`: the microphone opens while the models load.

Loading the models is Python work that holds the interpreter lock (spaCy, the YAML
knowledge, the pocketsphinx decoder: threads would only take turns), but opening the
microphone mostly waits on PortAudio and the sound server, and its first audio can
take a while to come (up to 2 s from an idle PulseAudio sink). `EarlyMic` starts that
at once on a thread, so the loop finds the microphone ready when the models are.

Nothing it heard before the loop asks for it is used: the loop's first `open()` throws
that audio away (so what voiceback says at start - a problem found, the disclaimer -
is never taken for a request), and until then `drain()` gives nothing, as a closed
microphone would. A failure to open is raised by that first `open()`, as if the
microphone had been opened then, so the loop says so and retries as before.
"""

from __future__ import annotations

import logging
import threading
import time

from voiceback.audio.devices import DeviceInfo
from voiceback.audio.mic import MicSource
from voiceback.config import Settings
from voiceback.types import AudioError

log = logging.getLogger(__name__)


class EarlyMic(MicSource):
    """A MicSource that starts opening on construction, on a background thread."""

    def __init__(self, device: str | int | None = None) -> None:
        self._claimed = False
        self._early_error: AudioError | None = None
        self._early_device: DeviceInfo | None = None
        super().__init__(device)
        self._opening = threading.Thread(target=self._open_early, name="mic-open", daemon=True)
        self._opening.start()

    @classmethod
    def for_settings(cls, settings: Settings) -> EarlyMic:
        spec = settings.input_device
        return cls(int(spec) if spec.isdigit() else (spec or None))

    def _open_early(self) -> None:
        started = time.perf_counter()
        try:
            super().open()
        except AudioError as err:
            self._early_error = err
        except Exception as err:
            self._early_error = AudioError(f"the microphone could not be opened: {err}")
        log.debug("microphone opened early in %.0f ms", (time.perf_counter() - started) * 1000)

    @property
    def device(self) -> DeviceInfo | None:
        """None until the loop has claimed the microphone (so that it calls open())."""
        return self._early_device if self._claimed else None

    @device.setter
    def device(self, value: DeviceInfo | None) -> None:
        self._early_device = value

    def open(self) -> None:
        """The first call takes over the early stream (dropping what it heard so far), or
        raises what opening it raised; later calls open as MicSource does."""
        if self._claimed:
            super().open()
            return
        self._opening.join()
        self._claimed = True
        if self._early_error is not None:
            raise self._early_error
        self.flush()

    def drain(self) -> bytes:
        if not self._claimed:
            self.flush()
            return b""
        return super().drain()
