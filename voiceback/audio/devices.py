"""Audio devices through sounddevice/PortAudio: listing them and finding the one configured."""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType

from voiceback.types import AudioError


@dataclass(frozen=True, slots=True)
class DeviceInfo:
    """One PortAudio device, as `voiceback devices` shows it."""

    index: int
    name: str
    inputs: int
    """Maximum input channels (0: not a microphone)."""
    outputs: int
    default_rate_hz: int
    is_default_input: bool = False
    is_default_output: bool = False


def sounddevice() -> ModuleType:
    """The sounddevice module, or AudioError when PortAudio itself is missing."""
    try:
        import sounddevice as sd
    except OSError as err:  # raised when libportaudio2 is not installed
        raise AudioError(f"PortAudio is not available ({err}); install libportaudio2") from err
    return sd


def rescan() -> None:
    """Make PortAudio enumerate devices again (to see a replugged mic or a new sound server).

    PortAudio reads the device list once at start; re-reading it closes every
    PortAudio stream of this process, so call it only when none is in use.
    """
    sd = sounddevice()
    try:
        sd._terminate()
        sd._initialize()
    except sd.PortAudioError as err:
        raise AudioError(f"cannot re-initialize PortAudio: {err}") from err


def list_devices(rescan_first: bool = False) -> list[DeviceInfo]:
    """Every device PortAudio knows, in index order."""
    sd = sounddevice()
    if rescan_first:
        rescan()
    default_in, default_out = _defaults(sd)
    return [
        DeviceInfo(
            index=int(d["index"]),
            name=str(d["name"]),
            inputs=int(d["max_input_channels"]),
            outputs=int(d["max_output_channels"]),
            default_rate_hz=round(float(d["default_samplerate"])),
            is_default_input=int(d["index"]) == default_in,
            is_default_output=int(d["index"]) == default_out,
        )
        for d in sd.query_devices()
    ]


def find_input(device: str | int | None, devices: list[DeviceInfo]) -> DeviceInfo:
    """The input device meant by a config value: an index, a name (or part of one), or None.

    None picks the system default input. A name matches exactly first (ignoring case),
    else as a substring; the first input device that matches wins.
    """
    inputs = [d for d in devices if d.inputs > 0]
    if not inputs:
        raise AudioError("no microphone found: PortAudio lists no input devices")
    if device is None:
        chosen = next((d for d in inputs if d.is_default_input), inputs[0])
        return chosen
    if isinstance(device, int) or device.strip().isdigit():
        return _by_index(int(device), devices, inputs)
    wanted = device.strip().lower()
    exact = [d for d in inputs if d.name.lower() == wanted]
    partial = [d for d in inputs if wanted in d.name.lower()]
    if exact or partial:
        return (exact or partial)[0]
    raise AudioError(f"no input device matches {device!r}; inputs are: {_names(inputs)}")


def _by_index(index: int, devices: list[DeviceInfo], inputs: list[DeviceInfo]) -> DeviceInfo:
    found = next((d for d in devices if d.index == index), None)
    if found is None:
        raise AudioError(f"no audio device #{index}; inputs are: {_names(inputs)}")
    if found.inputs == 0:
        raise AudioError(
            f"device #{index} ({found.name}) has no inputs; inputs are: {_names(inputs)}"
        )
    return found


def _names(devices: list[DeviceInfo]) -> str:
    return ", ".join(f"#{d.index} {d.name!r}" for d in devices) or "none"


def _defaults(sd: ModuleType) -> tuple[int, int]:
    try:
        default_in, default_out = sd.default.device
    except (TypeError, ValueError):
        return -1, -1
    return _index(sd, default_in, "input"), _index(sd, default_out, "output")


def _index(sd: ModuleType, value: int | str | None, kind: str) -> int:
    if value is None or isinstance(value, int):
        return -1 if value is None else value
    try:
        return int(sd.query_devices(value, kind)["index"])
    except (ValueError, sd.PortAudioError):
        return -1
