"""Each token has a request budget: a burst, then a steady rate; past it, 429 with Retry-After."""

import asyncio

import httpx

from service.app import create_app
from service.ratelimit import RateLimiter, retry_after_header
from tests.conftest import bearer


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def test_a_bucket_allows_the_burst_then_the_rate():
    clock = Clock()
    limiter = RateLimiter(rate_per_s=2, burst=3, clock=clock)
    assert [limiter.acquire("t") for _ in range(3)] == [0, 0, 0]
    assert limiter.acquire("t") == 0.5
    assert limiter.acquire("other") == 0
    clock.now += 0.5
    assert limiter.acquire("t") == 0
    assert limiter.acquire("t") > 0


def test_a_zero_rate_turns_the_limit_off():
    limiter = RateLimiter(rate_per_s=0, burst=1)
    assert all(limiter.acquire("t") == 0 for _ in range(1000))


def test_the_number_of_tracked_tokens_is_bounded():
    limiter = RateLimiter(rate_per_s=1, burst=1, max_tracked=10)
    for key in range(100):
        limiter.acquire(key)
    assert len(limiter._buckets) == 10


def test_retry_after_is_rounded_up_to_whole_seconds():
    assert [retry_after_header(w) for w in (0.01, 1.0, 1.2)] == [1, 1, 2]


async def test_a_token_over_its_budget_gets_429_with_retry_after_and_others_do_not(settings, scenario):
    """A slow rate (one request every two seconds once the burst of 3 is spent) keeps this immune to a slow machine."""
    app = create_app(settings.model_copy(update={"rate_limit_per_s": 0.5, "rate_limit_burst": 3}))
    agent, admin = bearer(scenario.tokens["agent"]), bearer(scenario.tokens["admin"])
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://contact-lookup.test") as client:
            answers = [(await client.get("/api/definitions/active", headers=agent)).status_code for _ in range(4)]
            assert answers == [200, 200, 200, 429]
            refused = await client.get("/api/definitions/active", headers=agent)
            assert refused.status_code == 429
            assert refused.headers["retry-after"] in {"1", "2"}
            assert "too many requests" in refused.json()["detail"]
            assert (await client.get("/api/definitions/active", headers=admin)).status_code == 200
            await asyncio.sleep(int(refused.headers["retry-after"]) + 0.1)
            assert (await client.get("/api/definitions/active", headers=agent)).status_code == 200
