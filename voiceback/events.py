"""The event bus: the assistant publishes Events, observers (the kiosk screen) subscribe.

Publishing never waits for a subscriber: each subscription has its own bounded queue,
and when a slow subscriber lets it fill up the oldest event is dropped (and counted).
Every published event is stamped with the wall-clock time it was published, so an
observer can tell how long it took to reach it.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Protocol

from voiceback.types import Event

__all__ = ["EventBus", "Published", "Subscriber", "Subscription"]

QUEUE_SIZE = 256
"""Events one subscriber may fall behind by before the oldest are dropped."""


@dataclass(frozen=True, slots=True)
class Published:
    """An event as it went out on the bus."""

    event: Event
    seq: int
    """1, 2, 3, ... in publishing order, over the bus's whole life."""
    at_ms: float
    """Wall-clock time of publishing, in milliseconds since the Unix epoch."""


class Subscriber(Protocol):
    """Takes each published event; `put` must return at once (it runs in the publisher's
    thread, under the bus's lock)."""

    def put(self, item: Published) -> None: ...


class Subscription:
    """One subscriber's queue. `get` waits for the next event; `close` ends the waiting."""

    def __init__(self, maxsize: int) -> None:
        if maxsize < 1:
            raise ValueError(f"a subscription queue holds at least 1 event, got {maxsize}")
        self._queue: deque[Published] = deque(maxlen=maxsize)
        self._ready = threading.Condition()
        self._closed = False
        self.dropped = 0
        """Events dropped because this subscriber fell behind."""

    def put(self, item: Published) -> None:
        with self._ready:
            if self._closed:
                return
            if len(self._queue) == self._queue.maxlen:
                self.dropped += 1  # the deque drops the oldest on append
            self._queue.append(item)
            self._ready.notify()

    def get(self, timeout_s: float | None = None) -> Published | None:
        """The next event, or None when `timeout_s` passed or the subscription closed."""
        with self._ready:
            if not self._queue and not self._closed:
                self._ready.wait(timeout_s)
            return self._queue.popleft() if self._queue else None

    @property
    def closed(self) -> bool:
        return self._closed

    def close(self) -> None:
        with self._ready:
            self._closed = True
            self._queue.clear()
            self._ready.notify_all()


class EventBus:
    """Thread-safe publish / subscribe of Events; publishing costs the same however
    slow the subscribers are.

    Events reach every subscriber in publishing order, and a subscription made after
    event n gets exactly the events after n: publishing hands an event to all the
    subscribers under the bus's lock (each `put` is a quick append)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subscribers: list[Subscriber] = []
        self._seq = 0

    def subscribe(self, maxsize: int = QUEUE_SIZE) -> Subscription:
        """A new queue of the events published from now on."""
        sub = Subscription(maxsize)
        self.attach(sub)
        return sub

    def attach(self, subscriber: Subscriber) -> None:
        """Hand every event from now on to `subscriber.put`, which must not wait."""
        with self._lock:
            self._subscribers.append(subscriber)

    def unsubscribe(self, sub: Subscriber) -> None:
        with self._lock:
            if sub in self._subscribers:
                self._subscribers.remove(sub)
        if isinstance(sub, Subscription):
            sub.close()

    def publish(self, event: Event) -> Published:
        with self._lock:
            self._seq += 1
            item = Published(event, self._seq, time.time() * 1000.0)
            for sub in self._subscribers:
                sub.put(item)
        return item

    def close(self) -> None:
        """Close every subscription (their `get` returns None from then on)."""
        with self._lock:
            subscribers, self._subscribers = self._subscribers, []
        for sub in subscribers:
            if isinstance(sub, Subscription):
                sub.close()

    @property
    def subscribers(self) -> int:
        with self._lock:
            return len(self._subscribers)
