"""voice_commands.stop_on_signal: SIGTERM stops the loop whenever it comes, in a real
process receiving real signals."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from voiceback.config import REPO_ROOT

# The main thread spins in stop.wait(0), so nearly every signal lands while it holds the
# event's lock: a handler that called stop.set() itself hung here within a few rounds.
SPIN = textwrap.dedent(
    """
    import os, random, signal, threading, time
    from voiceback.voice_commands import stop_on_signal

    for round_ in range(ROUNDS):
        stop = threading.Event()
        stop_on_signal(signal.SIGTERM, stop)

        def send() -> None:
            time.sleep(random.random() * 0.002)
            os.kill(os.getpid(), signal.SIGTERM)
            os.kill(os.getpid(), signal.SIGTERM)  # a second one is harmless

        threading.Thread(target=send, daemon=True).start()
        while not stop.wait(0):
            pass
    print("stopped", ROUNDS, "times", flush=True)
    """
)


def test_sigterm_sets_the_stop_event_even_mid_wait() -> None:
    rounds = 60
    script = SPIN.replace("ROUNDS", str(rounds))
    process = subprocess.Popen(
        [sys.executable, "-c", script],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        out, _ = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()  # SIGKILL: SIGTERM is what it would have to answer
        out, _ = process.communicate()
        raise AssertionError(f"a SIGTERM was lost or hung the process:\n{out}") from None
    assert process.returncode == 0, out
    assert f"stopped {rounds} times" in out


def test_a_signal_storm_never_blocks_the_handler() -> None:
    """Far more signals than the pipe holds bytes for: the handler drops the extra bytes
    instead of blocking the main thread on a full pipe."""
    script = textwrap.dedent(
        """
        import os, signal, threading
        from voiceback.voice_commands import stop_on_signal

        stop = threading.Event()
        stop_on_signal(signal.SIGUSR2, stop)
        handler = signal.getsignal(signal.SIGUSR2)
        for _ in range(200_000):  # > 64 KiB of pipe
            handler(signal.SIGUSR2, None)
        assert stop.wait(10)
        print("done", flush=True)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "done" in done.stdout
