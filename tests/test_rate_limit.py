from unlearnflow.data.rate_limit import RateLimiter


class FakeTime:
    def __init__(self):
        self.now = 0.0

    def clock(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


def test_requests_per_minute(tmp_path):
    time = FakeTime()
    limiter = RateLimiter(3, 10**9, tmp_path / "state", clock=time.clock, sleep=time.sleep)
    starts = []
    for _ in range(7):
        limiter.acquire(1)
        starts.append(time.now)
    assert starts[:3] == [0, 0, 0]
    assert 61 <= starts[3] < 62 and 61 <= starts[5] < 62  # the window and its margin
    assert 122 <= starts[6] < 123


def test_tokens_per_minute_uses_reported_usage(tmp_path):
    time = FakeTime()
    limiter = RateLimiter(1000, 1000, tmp_path / "state", clock=time.clock, sleep=time.sleep)
    limiter.acquire(600)
    limiter.settle(100)  # the reply reported fewer tokens than estimated
    limiter.acquire(600)
    assert time.now == 0
    limiter.acquire(600)  # 700 + 600 > 1000: waits for the window to move
    assert time.now >= 60


def test_limiters_sharing_a_state_file_share_the_budget(tmp_path):
    """Two clients (two rules, say) over one state file: together within the limit."""
    time = FakeTime()
    first, second = (
        RateLimiter(4, 10**9, tmp_path / "state", clock=time.clock, sleep=time.sleep)
        for _ in range(2)
    )
    for _ in range(2):
        first.acquire(1)
        second.acquire(1)
    assert time.now == 0
    second.acquire(1)
    assert time.now >= 60
