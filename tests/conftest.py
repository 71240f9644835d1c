"""Shared fixtures. Each group lives in its own module, registered here as a plugin."""

pytest_plugins = ["nlu_fixtures", "pulse_fixtures"]
