"""For benchmarks of `voiceback run` on a private PulseAudio server: its config."""

from __future__ import annotations

from pathlib import Path

from voiceback.config import REPO_ROOT
from voiceback.store import Store


def seeded_config(work: Path) -> Path:
    """A config in `work` for the `pulse` devices in wake mode, with a database in which
    the one-time disclaimer was said already (the usual start)."""
    config = work / "config.toml"
    config.write_text(
        '[listening]\ninput_device = "pulse"\nmode = "wake"\n'
        '[speech]\noutput_device = "pulse"\n'
        f'[paths]\ndata = "{work}"\nmodels = "{REPO_ROOT / "models"}"\n'
    )
    store = Store(work / "voiceback.db")
    store.put("disclaimer_said", "1")
    store.close()
    return config
