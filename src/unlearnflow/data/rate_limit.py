"""Client-side rate limiting over a sliding one-minute window (requests and tokens)."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable


class RateLimiter:
    """Blocks until one more request of `tokens` tokens fits the per-minute budgets."""

    WINDOW_S = 60.0

    def __init__(
        self,
        requests_per_minute: int,
        tokens_per_minute: int,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.requests_per_minute = requests_per_minute
        self.tokens_per_minute = tokens_per_minute
        self.clock = clock
        self.sleep = sleep
        self.sent: deque[list] = deque()  # [time, tokens] per request in the window

    def acquire(self, tokens: int) -> None:
        """Wait for room for one request estimated at `tokens`, then book it."""
        tokens = min(tokens, self.tokens_per_minute)
        while True:
            now = self.clock()
            while self.sent and now - self.sent[0][0] >= self.WINDOW_S:
                self.sent.popleft()
            used = sum(entry[1] for entry in self.sent)
            if (
                len(self.sent) < self.requests_per_minute
                and used + tokens <= self.tokens_per_minute
            ):
                self.sent.append([now, tokens])
                return
            self.sleep(self.sent[0][0] + self.WINDOW_S - now + 1e-3)

    def settle(self, tokens: int) -> None:
        """Replace the last booking's estimate with the tokens the response reported."""
        if self.sent:
            self.sent[-1][1] = tokens
