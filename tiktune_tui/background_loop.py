"""One long-lived asyncio loop on its own thread, for work that must outlive a single query.

TikTok's browser sessions (Playwright) belong to the event loop that started
them. The app runs each search from a worker thread; if every search made its
own loop with asyncio.run, the second live search would find its browser bound
to a dead loop. Every engine coroutine of the app therefore runs here.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


class BackgroundLoop:
    def __init__(self, name: str = "tiktune-engine") -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_forever()
        self._loop.close()

    @property
    def running(self) -> bool:
        return self._thread.is_alive() and not self._loop.is_closed()

    def submit(self, coroutine: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop)

    def run(self, coroutine: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
        """Run `coroutine` there and wait for it from this (non-loop) thread."""
        future = self.submit(coroutine)
        try:
            return future.result(timeout)
        except BaseException:
            # Timed out or interrupted: the work must not go on by itself on the loop.
            future.cancel()
            raise

    def close(self, timeout: float = 10) -> None:
        """Stop the loop once what is scheduled has been cancelled, and join the thread."""
        if not self._thread.is_alive():
            return

        async def cancel_the_rest() -> None:
            current = asyncio.current_task()
            pending = [t for t in asyncio.all_tasks() if t is not current]
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)

        try:
            self.run(cancel_the_rest(), timeout)
        except (concurrent.futures.TimeoutError, RuntimeError):
            pass
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout)
