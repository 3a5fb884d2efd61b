from unlearnflow.data.rate_limit import RateLimiter


class FakeTime:
    def __init__(self):
        self.now = 0.0

    def clock(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


def test_requests_per_minute():
    time = FakeTime()
    limiter = RateLimiter(3, 10**9, clock=time.clock, sleep=time.sleep)
    starts = []
    for _ in range(7):
        limiter.acquire(1)
        starts.append(time.now)
    assert starts[:3] == [0, 0, 0]
    assert 60 <= starts[3] < 61 and 60 <= starts[5] < 61
    assert 120 <= starts[6] < 121


def test_tokens_per_minute_uses_reported_usage():
    time = FakeTime()
    limiter = RateLimiter(1000, 1000, clock=time.clock, sleep=time.sleep)
    limiter.acquire(600)
    limiter.settle(100)  # the reply reported fewer tokens than estimated
    limiter.acquire(600)
    assert time.now == 0
    limiter.acquire(600)  # 700 + 600 > 1000: waits for the window to move
    assert time.now >= 60
