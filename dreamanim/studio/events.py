"""A job's events: appended from the render's thread, streamed to any number of async readers (SSE).

    log.publish("frame", {...})          # any thread
    async for event in log.follow(since, keepalive=15): ...  # (number, kind, data), or None
                                                              # after 15 quiet seconds; ends on close

Every event is kept, so a page that (re)connects with Last-Event-ID misses nothing.
"""
import asyncio
import threading
from typing import AsyncIterator


class EventLog:
    def __init__(self):
        self._events: list[tuple[str, dict]] = []
        self._lock = threading.Lock()
        self._waiters: set[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = set()
        self.closed = False

    def publish(self, kind: str, data: dict) -> None:
        with self._lock:
            self._events.append((kind, data))
            waiters = list(self._waiters)
        for loop, event in waiters:  # wake each reader on its own loop (they never block this thread)
            try:
                loop.call_soon_threadsafe(event.set)
            except RuntimeError:  # its loop has closed: the reader is gone
                self._waiters.discard((loop, event))

    def close(self) -> None:
        """No more events: readers finish once they have read what is there."""
        if not self.closed:
            self.closed = True
            self.publish("end", {})

    def since(self, number: int) -> list[tuple[int, str, dict]]:
        with self._lock:
            return [(i, kind, data) for i, (kind, data) in enumerate(self._events[number:], start=number)]

    async def follow(self, number: int = 0, keepalive: float = 15.0) -> AsyncIterator:
        waiter = (asyncio.get_running_loop(), asyncio.Event())
        with self._lock:
            self._waiters.add(waiter)
        try:
            while True:
                waiter[1].clear()
                batch = self.since(number)
                for event in batch:
                    yield event
                    if event[1] == "end":
                        return
                number += len(batch)
                if not batch:
                    try:
                        await asyncio.wait_for(waiter[1].wait(), keepalive)
                    except asyncio.TimeoutError:
                        yield None  # a quiet stream: the reader sends a comment, so proxies keep it open
        finally:
            with self._lock:
                self._waiters.discard(waiter)
