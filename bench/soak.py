"""Soak: an hour (or more) of non-request audio through the real hands-free loop.

    .venv/bin/python bench/soak.py [--minutes 60] [--modes wake,always] [--seed 0]

The audio is talk about other things (everyday sentences about cooking, weather,
football, family... spoken by Piper and six espeak-ng voices), television (news and
drama lines over music-like tones, music alone between them), fan noise, and quiet
room tone, in long mixed stretches with silences. It is built once into
tests/.audio-cache/ (git-ignored; VOICEBACK_AUDIO_CACHE moves it) and streamed as
30 ms AudioChunks by `SoakSource` into `HandsFree` with the real Listener, Endpointer,
pocketsphinx recognizer, NLU, Assistant and Dialog; the speaker is off.

Faster than real time, except while the gate is open (a follow-up window after a
reply): then the audio is paced at real time, since the window is measured on the
wall clock. Everything it would have said is counted: replies, the chime that
answers a wake phrase alone, anything the conversation says on its own (a routine's
cues, marked "cue"); with the utterance heard last before it. A false activation is a
reply or chime to an utterance while the gate was closed (not in a follow-up window).
Prints RSS (peak and current) every 5 minutes of audio, its growth over the run, and
the real-time factor.
"""

from __future__ import annotations

import argparse
import logging
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import wave
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import numpy.typing as npt

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from audio_synth import CACHE_DIR, make_noise, tts, write_wav

from voiceback.hands_free import Gate, strip_wake
from voiceback.logs import TRANSCRIPTS
from voiceback.types import AudioChunk, Event, EventKind

RATE_HZ = 16_000
BUILD_VERSION = 1
Float = npt.NDArray[np.float32]

# --- what is said ----------------------------------------------------------------------

TALK = (
    # cooking
    "i'm going to make a big pot of soup with the leftover vegetables",
    "do we have any garlic left or did you use it all on saturday",
    "the recipe says to let the dough rest for an hour before you roll it out",
    "put the oven on to two hundred degrees and grease the tray",
    "these onions are making my eyes water",
    "i burnt the toast again this machine is useless",
    "shall we have pasta tonight or the chicken from the freezer",
    "you need to stir the rice every few minutes or it sticks",
    "my mother always put a bay leaf in the stew",
    "the cake sank in the middle but it still tastes fine",
    "can you chop the carrots while i peel the potatoes",
    "we're out of eggs so pancakes will have to wait until tomorrow",
    "that curry was far too hot for the children",
    "i'll put the kettle on does anyone want tea",
    "the fish market had lovely fresh mackerel this morning",
    # weather
    "it's supposed to snow over the weekend up north",
    "look at that sky it's going to pour any minute",
    "the forecast said sunny spells with a chance of showers",
    "it was so windy the bins blew over in the night",
    "we haven't had a proper summer in years",
    "the frost killed off half the tomato plants",
    "i had to scrape the ice off the windscreen this morning",
    "it's lovely and warm in the sun but freezing in the shade",
    "they say the river might flood if this rain keeps up",
    "there was thunder and lightning all night i hardly slept",
    "the fog was so thick on the motorway you couldn't see a thing",
    # football and sport
    "did you see that goal in the second half it was unbelievable",
    "the referee should never have given that penalty",
    "they've been relegated for the first time in thirty years",
    "the new striker cost a fortune and he still can't score",
    "we got tickets for the cup final at last",
    "the manager was sacked after only six games",
    "the keeper made three brilliant saves in the first ten minutes",
    "the coach said the team lacked energy after the break",
    "our lad plays left back for the under twelves on saturdays",
    "the cricket was rained off again at tea time",
    "she ran the marathon in under four hours",
    "the tennis went to five sets and finished after midnight",
    "the home side have not won a match since october",
    "that transfer window was a complete disaster for the club",
    "he's the best midfielder they've had in a generation",
    # family
    "my brother is flying back from spain on tuesday",
    "grandma turns ninety next month so we're planning a party",
    "the baby finally slept through the night",
    "our daughter started at the new school on monday and loves it",
    "my cousin is getting married in the summer in a castle",
    "the kids want a puppy but i'm not sure we have the space",
    "dad fell asleep in front of the telly again",
    "my aunt sent a lovely card for the anniversary",
    "the twins have got their exams in june",
    "we're going to my in laws for christmas this year",
    "my nephew has learned to ride his bike without stabilisers",
    "mum rang to say she'll be over for lunch on sunday",
    # shopping, home, work, travel
    "the washing machine is making that funny noise again",
    "i need to get the car in for its service before friday",
    "the train was cancelled so i had to get a taxi",
    "we should sort out the loft before the winter",
    "the electricity bill was twice what it was last year",
    "i found a great deal on a sofa in the sale",
    "the neighbours are having their kitchen done it's been so noisy",
    "my manager wants the report finished by thursday",
    "the meeting went on for three hours and we decided nothing",
    "the printer at work has jammed again",
    "we're thinking of going to portugal in september",
    "the flight leaves at six so we'll have to get up at three",
    "have you seen my glasses i had them a minute ago",
    "the cat has brought another mouse in",
    "i must remember to water the plants before we go away",
    "the post office closes early on wednesdays",
    "the library has a book sale on this weekend",
    "the roof is leaking in the back bedroom again",
    "we painted the fence green and the neighbours hate it",
    "i've lost the receipt so i can't take it back",
    "the bus driver waited for me which was kind",
    "the supermarket has moved everything around again",
    # near misses for the wake phrase: greetings, "coach" in other senses
    "hey did anyone see where i put the car keys",
    "hey you two dinner is ready come and sit down",
    "we went to london on the coach it took five hours",
    "the coach driver stopped at a service station for lunch",
    "hey look there's a robin on the fence",
    "the coach trip to the seaside is on the fifth",
    "hey can you give me a hand with these bags",
    "the football coach has the boys running laps in the rain",
    "hey love how was your day",
    "we booked coach seats because the train was too dear",
)

TV = (
    "good evening here is the news at six",
    "the prime minister has announced a review of the transport budget",
    "shares in the banking sector fell sharply in early trading",
    "police are appealing for witnesses after a collision on the high street",
    "and now over to our sports desk for the latest results",
    "tomorrow will be cloudy in the east with rain spreading from the west",
    "scientists have discovered a new species of frog in the rainforest",
    "the festival attracted more than fifty thousand visitors this year",
    "after the break we'll be looking at the best gardens in the country",
    "you're watching the evening show stay with us",
    "i told you never to come back to this house",
    "where were you on the night of the fourteenth inspector",
    "she opened the letter and her face went white",
    "we have to get out of here before the storm hits",
    "the detective looked at the painting and smiled",
    "if you don't tell me the truth i'll find out anyway",
    "this week on the programme we visit a farm in the hills",
    "add the butter and sugar and beat until light and fluffy",
    "the auction starts at ten pounds do i hear fifteen",
    "the contestants have sixty seconds on the clock starting now",
    "that's the correct answer and you win the holiday",
    "the council has approved plans for a new swimming pool",
    "the match ended in a draw leaving both teams on twenty points",
    "coming up later the weather and a look at the papers",
)

ESPEAK_VOICES = ("en-us", "en-gb", "en-us+f3", "en-gb-scotland", "en-us+m3", "en-gb+f2")
TALK_VOICES = (("piper", "en-us"),) * 3 + tuple(("espeak", v) for v in ESPEAK_VOICES)
TV_VOICES = (("piper", "en-us"), ("espeak", "en-gb"), ("espeak", "en-us+m3"))


# --- building the audio ----------------------------------------------------------------


def _db(db: float) -> float:
    return float(10.0 ** (db / 20.0))


def _rms(x: Float) -> float:
    return float(np.sqrt(np.mean(np.square(x, dtype=np.float64))) + 1e-12)


def _trimmed(engine: str, voice: str, text: str, speed: float) -> Float:
    x = tts(engine, voice, text, speed, RATE_HZ)
    level = np.abs(x) > 10 ** (-40 / 20) * float(np.max(np.abs(x)))
    on = np.flatnonzero(level)
    return x[on[0] : on[-1] + 1] if len(on) else x


def fan_noise(n: int, rng: np.random.Generator) -> Float:
    """A fan: noise falling ~4.5 dB/octave, a motor hum, a slow wobble of the blades."""
    spectrum = np.fft.rfft(rng.standard_normal(n))
    freqs = np.fft.rfftfreq(n, 1 / RATE_HZ)
    spectrum /= np.maximum(freqs, 40.0) ** 0.75
    spectrum[freqs > 6000] *= 0.3
    x = np.fft.irfft(spectrum, n)
    x /= _rms(x)
    t = np.arange(n) / RATE_HZ
    x *= 1.0 + 0.15 * np.sin(2 * np.pi * rng.uniform(3, 8) * t)
    x += 0.2 * make_noise("hum", n, RATE_HZ, rng)
    return (x / _rms(x)).astype(np.float32)


def music(seconds: float, rng: np.random.Generator) -> Float:
    """Music-like tones: a chord progression of harmonic notes with attack and decay,
    and a plucked bass; unit RMS."""
    n = int(seconds * RATE_HZ)
    out = np.zeros(n, np.float64)
    beat_s = rng.uniform(0.35, 0.7)
    root = rng.choice([48, 50, 53, 55, 57])  # MIDI
    progression = [0, 5, 7, 3, 8, 10]
    pos = 0
    while pos < n:
        step = progression[int(rng.integers(len(progression)))]
        length = int(beat_s * RATE_HZ * rng.choice([1, 2, 2, 4]))
        t = np.arange(min(length, n - pos)) / RATE_HZ
        env = np.minimum(1.0, t / 0.02) * np.exp(-t / (0.6 * length / RATE_HZ))
        for interval in (0, 4, 7, 12):
            f = 440.0 * 2 ** ((root + step + interval - 69) / 12)
            tone = sum(np.sin(2 * np.pi * f * k * t) / k**1.5 for k in range(1, 5))
            out[pos : pos + len(t)] += tone * env * 0.5
        bass = 440.0 * 2 ** ((root + step - 12 - 69) / 12)
        out[pos : pos + len(t)] += np.sin(2 * np.pi * bass * t) * np.exp(-t / 0.3)
        pos += length
    return (out / _rms(out)).astype(np.float32)


@dataclass
class Mixer:
    """Lays scenes end to end; keeps what each scene was, for the report."""

    rng: np.random.Generator
    pieces: list[Float] = field(default_factory=list)
    seconds: float = 0.0
    scenes: dict[str, float] = field(default_factory=dict)
    lines: int = 0

    def add(self, kind: str, audio: Float) -> None:
        self.pieces.append(audio)
        self.seconds += len(audio) / RATE_HZ
        self.scenes[kind] = self.scenes.get(kind, 0.0) + len(audio) / RATE_HZ

    def speech_over(
        self, lines: list[Float], pauses_s: tuple[float, float], level_dbfs: float
    ) -> Float:
        parts: list[Float] = []
        for line in lines:
            gap = np.zeros(int(self.rng.uniform(*pauses_s) * RATE_HZ), np.float32)
            parts += [gap, line / _rms(line) * _db(level_dbfs + self.rng.uniform(-4, 3))]
        parts.append(np.zeros(int(self.rng.uniform(*pauses_s) * RATE_HZ), np.float32))
        self.lines += len(lines)
        return np.concatenate(parts).astype(np.float32)


def conversation(m: Mixer) -> None:
    """People talking in the room, sometimes with the fan on."""
    lines = [
        _trimmed(*random_voice(m.rng, TALK_VOICES), str(m.rng.choice(TALK)), speed)
        for speed in m.rng.choice([0.85, 1.0, 1.0, 1.15], size=int(m.rng.integers(4, 16)))
    ]
    audio = m.speech_over(lines, (0.3, 2.5), level_dbfs=-24.0)
    if m.rng.random() < 0.4:
        audio = audio + fan_noise(len(audio), m.rng) * _db(-24.0 - m.rng.uniform(10, 25))
    m.add("talk", audio)


def television(m: Mixer) -> None:
    """A television: lines over music, music alone between them."""
    lines = [
        _trimmed(*random_voice(m.rng, TV_VOICES), str(m.rng.choice(TV)), 1.0)
        for _ in range(int(m.rng.integers(3, 12)))
    ]
    audio = m.speech_over(lines, (0.2, 3.0), level_dbfs=-28.0)
    bed = music(len(audio) / RATE_HZ, m.rng) * _db(-28.0 - m.rng.uniform(6, 16))
    jingle = music(m.rng.uniform(4, 15), m.rng) * _db(-30.0)
    m.add("tv", np.concatenate([jingle, audio + bed]).astype(np.float32))


def fan(m: Mixer) -> None:
    seconds = m.rng.uniform(30, 120)
    m.add("fan", fan_noise(int(seconds * RATE_HZ), m.rng) * _db(m.rng.uniform(-48, -34)))


def quiet(m: Mixer) -> None:
    m.add("quiet", np.zeros(int(m.rng.uniform(10, 90) * RATE_HZ), np.float32))


def random_voice(rng: np.random.Generator, voices: tuple[tuple[str, str], ...]) -> tuple[str, str]:
    engine, voice = voices[int(rng.integers(len(voices)))]
    return engine, voice


SCENES: tuple[tuple[Callable[[Mixer], None], float], ...] = (
    (conversation, 0.45),
    (television, 0.3),
    (fan, 0.1),
    (quiet, 0.15),
)


def build(minutes: float, seed: int) -> Path:
    """The soak WAV for `minutes` of audio (cached), and a sidecar with what is in it."""
    path = CACHE_DIR / f"soak-v{BUILD_VERSION}-{minutes:g}min-seed{seed}.wav"
    if path.exists():
        return path
    m = Mixer(np.random.default_rng(seed))
    scenes, weights = zip(*SCENES, strict=True)
    while m.seconds < minutes * 60:
        scenes[int(m.rng.choice(len(scenes), p=np.array(weights)))](m)
    audio = np.concatenate(m.pieces)
    audio += (m.rng.standard_normal(len(audio)) * _db(-66.0)).astype(np.float32)  # room tone
    write_wav(path, np.clip(audio, -1.0, 1.0), RATE_HZ)
    summary = ", ".join(f"{k} {v / 60:.1f} min" for k, v in sorted(m.scenes.items()))
    path.with_suffix(".txt").write_text(f"{summary}; {m.lines} spoken lines\n")
    return path


def ensure_built(minutes: float, seed: int) -> Path:
    """Build in a child process, so that building does not weigh on the soak's RSS."""
    cmd = [sys.executable, __file__, "--build-only", f"--minutes={minutes}", f"--seed={seed}"]
    done = subprocess.run(cmd, check=True, capture_output=True, text=True)
    return Path(done.stdout.strip().splitlines()[-1])


# --- the source ------------------------------------------------------------------------


class SoakSource:
    """A WAV file as the microphone HandsFree reads from: `open`/`reopen`/`close`,
    `device`, `flush`/`drain`, iteration of 30 ms AudioChunks.

    Read from the file a chunk at a time (nothing kept), as fast as the loop takes it,
    but at real time while `pace()` says so. At the end of the file (or `limit_s`)
    `done` is set (the loop's stop event). `on_audio(seconds)` is called after each chunk.
    """

    def __init__(
        self,
        path: Path,
        done: threading.Event,
        pace: Callable[[], bool] = lambda: False,
        on_audio: Callable[[float], None] = lambda s: None,
        chunk_ms: int = 30,
        limit_s: float | None = None,
    ) -> None:
        self.path = path
        self.done = done
        self.pace = pace
        self.on_audio = on_audio
        self.chunk_frames = RATE_HZ * chunk_ms // 1000
        self.device: str | None = None
        self.position = 0
        self.paced_s = 0.0
        self.limit_frames = None if limit_s is None else int(limit_s * RATE_HZ)
        self._wav: wave.Wave_read | None = None

    def open(self) -> None:
        wav = wave.open(str(self.path), "rb")  # noqa: SIM115 - open until close()
        if (wav.getframerate(), wav.getnchannels(), wav.getsampwidth()) != (RATE_HZ, 1, 2):
            raise ValueError(f"{self.path}: not 16 kHz mono 16-bit")
        wav.setpos(self.position)
        self._wav, self.device = wav, f"soak:{self.path.name}"

    def reopen(self) -> None:
        self.close()
        self.open()

    def close(self) -> None:
        if self._wav is not None:
            self._wav.close()
        self._wav = None

    def flush(self) -> None:
        """Nothing is captured behind the reader's back: nothing to throw away."""

    def drain(self) -> bytes:
        return b""

    def __iter__(self) -> Iterator[AudioChunk]:
        while self._wav is not None:
            pcm = self._wav.readframes(self.chunk_frames)
            over = self.limit_frames is not None and self.position >= self.limit_frames
            if len(pcm) < 2 * self.chunk_frames or over:
                self.done.set()
                return
            start_s = self.position / RATE_HZ
            self.position += self.chunk_frames
            if self.pace():
                time.sleep(self.chunk_frames / RATE_HZ)
                self.paced_s += self.chunk_frames / RATE_HZ
            yield AudioChunk(pcm, start_s=start_s)
            self.on_audio(self.position / RATE_HZ)


# --- the soak ---------------------------------------------------------------------------


def rss_mb() -> tuple[float, float]:
    """(peak, current) resident set size of this process in MB."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return peak, int(line.split()[1]) / 1024
    return peak, 0.0


@dataclass
class Activation:
    audio_s: float
    heard: str
    said: str
    cue: bool = False
    """Said by a routine on its own (a breathing count, a reminder), not to an utterance."""


@dataclass
class Counter:
    """Everything the loop would have said, with what it heard just before."""

    now_s: Callable[[], float]
    said: list[Activation] = field(default_factory=list)
    heard: list[str] = field(default_factory=list)
    chimes: int = 0
    activations: int = 0
    """Times it answered an utterance while its gate was closed (not a follow-up)."""
    ticking: bool = False
    """The loop's tick is running: what is said now is a routine's cue."""

    def note(self, text: str, awake: bool) -> None:
        if not awake and not self.ticking:
            self.activations += 1
        last = self.heard[-1] if self.heard else ""
        self.said.append(Activation(self.now_s(), last, text, cue=self.ticking))


class HeardLog(logging.Handler):
    """Collects the loop's "heard ... -> ..." log lines (every utterance it read)."""

    def __init__(self, into: list[str]) -> None:
        super().__init__(logging.INFO)
        self.into = into

    def emit(self, record: logging.LogRecord) -> None:
        if record.msg.startswith("heard ") and isinstance(record.args, tuple) and record.args:
            self.into.append(str(record.args[0]))


def soak(
    path: Path,
    mode: str,
    report_every_s: float = 300.0,
    quiet: bool = False,
    gate: Gate | None = None,
    limit_s: float | None = None,
) -> dict:
    """Run the loop in `mode` over the audio at `path` (or its first `limit_s`), with the
    real gate or `gate`; a dict of figures."""
    from voiceback.audio import Endpointer
    from voiceback.commands import build_assistant
    from voiceback.config import Settings
    from voiceback.hands_free import HandsFree
    from voiceback.listening import Listener, complete_request
    from voiceback.stt import make_recognizer

    data = Path(tempfile.mkdtemp(prefix="voiceback-soak-"))
    settings = replace(Settings(), data_dir=data, speak=False, mode=mode, engine="pocketsphinx")
    assistant = build_assistant(settings, speak=False, allow_timers=True)
    recognizer = make_recognizer("pocketsphinx", settings.models_dir)
    if gate is None:
        gate = Gate(settings.mode, settings.wake_phrase, settings.follow_up_s)
    stop = threading.Event()
    audio_s = [0.0]
    counter = Counter(now_s=lambda: audio_s[0])
    heard_log = HeardLog(counter.heard)
    transcripts = logging.getLogger(TRANSCRIPTS)  # what the loop heard; private, off by default
    level, disabled = transcripts.level, transcripts.disabled
    transcripts.addHandler(heard_log)
    transcripts.setLevel(logging.INFO)
    transcripts.disabled = False  # a CLI run in this process may have switched it off
    samples: list[tuple[float, float, float]] = []
    started = time.perf_counter()
    next_report = [0.0]

    def on_audio(seconds: float) -> None:
        audio_s[0] = seconds
        if seconds >= next_report[0]:
            peak, now = rss_mb()
            samples.append((seconds, peak, now))
            next_report[0] += report_every_s
            if not quiet:
                wall = time.perf_counter() - started
                print(
                    f"  [{mode}] audio {seconds / 60:5.1f} min  wall {wall:6.1f} s  "
                    f"RSS {now:6.1f} MB (peak {peak:6.1f})  said {len(counter.said)}",
                    flush=True,
                )

    awake = gate.awake
    source = SoakSource(
        path, stop, pace=lambda: awake(time.monotonic()), on_audio=on_audio, limit_s=limit_s
    )

    def on_event(event: Event) -> None:
        if event.kind == EventKind.SPEAKING:
            counter.note(str(event.data.get("text", "")), awake(time.monotonic()))

    def chime() -> None:
        counter.chimes += 1
        counter.note("(chime)", awake(time.monotonic()))

    assistant.on_event = on_event
    listener = Listener(
        Endpointer(), recognizer, is_complete=complete_request(assistant.nlu.understand)
    )

    class Loop(HandsFree):
        def tick(self) -> None:
            counter.ticking = True
            try:
                super().tick()
            finally:
                counter.ticking = False

    loop = Loop(source, listener, assistant, gate, chime, show=lambda line: None)
    loop.run(stop)
    wall = time.perf_counter() - started
    if assistant.store is not None:
        assistant.store.close()
    shutil.rmtree(data, ignore_errors=True)
    transcripts.removeHandler(heard_log)
    transcripts.setLevel(level)
    transcripts.disabled = disabled
    peak, now = rss_mb()
    samples.append((audio_s[0], peak, now))
    hours = audio_s[0] / 3600
    return {
        "mode": mode,
        "audio_s": audio_s[0],
        "wall_s": wall,
        "rtf": wall / audio_s[0],
        "rtf_unpaced": (wall - source.paced_s) / max(audio_s[0] - source.paced_s, 1e-9),
        "utterances": len(counter.heard),
        "near_misses": [
            t for t in counter.heard if strip_wake(t, settings.wake_phrase, 0.6) is not None
        ],
        "said": counter.said,
        "cues": sum(a.cue for a in counter.said),
        "activations": counter.activations,
        "per_hour": counter.activations / hours,
        "replies_per_hour": len(counter.said) / hours,
        "rss": samples,
        "rss_growth_mb": now - samples[0][2],
    }


def print_result(r: dict) -> None:
    print(
        f"{r['mode']:6s}: {r['audio_s'] / 3600:.2f} h of audio, {r['utterances']} utterances "
        f"read; false activations {r['activations']} ({r['per_hour']:.2f}/h), everything said "
        f"{len(r['said'])} ({r['replies_per_hour']:.2f}/h; {r['cues']} of it routine cues); "
        f"RTF {r['rtf']:.3f} "
        f"({r['rtf_unpaced']:.3f} outside paced follow-up windows)"
    )
    first, last = r["rss"][0], r["rss"][-1]
    settled = r["rss"][min(1, len(r["rss"]) - 1)]
    print(
        f"        RSS {first[2]:.1f} MB at the first chunk -> {last[2]:.1f} MB at "
        f"{last[0] / 60:.0f} min: growth {r['rss_growth_mb']:+.1f} MB "
        f"({last[2] - settled[2]:+.1f} MB after {settled[0] / 60:.0f} min); "
        f"peak {last[1]:.1f} MB"
    )
    for a in r["said"]:
        said = f"{'cue' if a.cue else 'said'} {a.said[:70]!r}"
        print(f"        at {a.audio_s / 60:6.2f} min heard {a.heard!r} -> {said}")
    near = r["near_misses"]
    print(f"        near misses (the wake phrase at similarity 0.6, not 0.75): {len(near)}")
    for text in near[:10]:
        print(f"          {text!r}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--minutes", type=float, default=60.0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--modes", default="wake,always")
    ap.add_argument("--build-only", action="store_true")
    args = ap.parse_args()
    if args.build_only:
        print(build(args.minutes, args.seed))
        return
    path = ensure_built(args.minutes, args.seed)
    modes = args.modes.split(",")
    if len(modes) > 1:  # each mode in a process of its own, so RSS is its alone
        for mode in modes:
            cmd = [sys.executable, __file__, f"--minutes={args.minutes}", f"--seed={args.seed}"]
            subprocess.run([*cmd, f"--modes={mode}"], check=True)
        return
    print(f"soak audio: {path} ({path.with_suffix('.txt').read_text().strip()})", flush=True)
    print_result(soak(path, modes[0]))


if __name__ == "__main__":
    main()
