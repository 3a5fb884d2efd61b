"""Client-side rate limiting over a sliding one-minute window (requests and tokens),
shared by every process that names the same state file: the generation rules run one
after another, or side by side, and together stay within one budget."""

from __future__ import annotations

import contextlib
import fcntl
import json
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path


class RateLimiter:
    """Blocks until one more request of `tokens` tokens fits the per-minute budgets.

    The window's bookings ([time, tokens, id] per request) live in the JSON file `state`,
    read and written under an exclusive lock; times are wall-clock seconds, which every
    process on a machine (or on nodes sharing the folder) reads alike.
    """

    WINDOW_S = 60.0
    # a booking counts this much longer than the window: requests travel and are sent a
    # little after their booking, and the server's window must see the spacing too
    MARGIN_S = 1.0

    def __init__(
        self,
        requests_per_minute: int,
        tokens_per_minute: int,
        state: Path,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.requests_per_minute = requests_per_minute
        self.tokens_per_minute = tokens_per_minute
        self.state = Path(state)
        self.clock = clock
        self.sleep = sleep
        self.last_booking: str | None = None

    @contextlib.contextmanager
    def _bookings(self) -> Iterator[list[list]]:
        """The window's bookings, locked; what the block leaves in the list is saved."""
        self.state.parent.mkdir(parents=True, exist_ok=True)
        with open(self.state.with_name(self.state.name + ".lock"), "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            bookings = json.loads(self.state.read_text() or "[]") if self.state.exists() else []
            yield bookings
            self.state.write_text(json.dumps(bookings))

    def acquire(self, tokens: int) -> None:
        """Wait for room for one request estimated at `tokens`, then book it."""
        tokens = min(tokens, self.tokens_per_minute)
        while True:
            with self._bookings() as bookings:
                now = self.clock()
                span = self.WINDOW_S + self.MARGIN_S
                bookings[:] = [b for b in bookings if now - b[0] < span]
                used = sum(booking[1] for booking in bookings)
                if (
                    len(bookings) < self.requests_per_minute
                    and used + tokens <= self.tokens_per_minute
                ):
                    self.last_booking = uuid.uuid4().hex
                    bookings.append([now, tokens, self.last_booking])
                    return
                wait = min(booking[0] for booking in bookings) + span - now + 1e-3
            self.sleep(wait)

    def settle(self, tokens: int) -> None:
        """Replace this process's last booking's estimate with the tokens the response
        reported."""
        with self._bookings() as bookings:
            for booking in bookings:
                if booking[2] == self.last_booking:
                    booking[1] = tokens
