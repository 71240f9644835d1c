"""voiceback: an offline, hands-free voice coach for a lower-back spasm."""

__version__ = "0.1.0"
