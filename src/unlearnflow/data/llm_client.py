"""One chat-completions call, done right: cache, rate limit, retries, schema, re-ask.

Talks to any OpenAI-compatible endpoint (OpenAI, vLLM, llama.cpp server, Ollama)
through the official `openai` client. The API key is read from the environment
variable the config names and is never written anywhere.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TypeVar

import openai
from pydantic import BaseModel, ValidationError

from ..jsonl import summarize
from .rate_limit import RateLimiter
from .response_cache import ResponseCache

log = logging.getLogger(__name__)
Draft = TypeVar("Draft", bound=BaseModel)


class MalformedReply(Exception):
    """A reply with status 200 whose body is no chat completion (a proxy's error page)."""


RETRYABLE = (
    openai.RateLimitError,
    openai.InternalServerError,
    openai.APITimeoutError,
    openai.APIConnectionError,
    MalformedReply,
)


class LLMError(RuntimeError):
    """The endpoint cannot give what the run needs; the message says which setting to fix."""


@dataclass(frozen=True)
class EndpointSettings:
    """The `generation.openai` part of the config."""

    base_url: str
    model: str
    api_key_env: str
    structured_output: str  # json_schema | json_object_schema | json_object
    temperature: float
    max_tokens: int
    requests_per_minute: int
    tokens_per_minute: int
    max_retries: int
    backoff_s: float
    max_reasks: int
    max_samples: int
    timeout_s: float
    near_duplicate_threshold: float
    cache_dir: str
    judge: bool

    @classmethod
    def from_params(cls, params: dict) -> EndpointSettings:
        return cls(**{field.name: params[field.name] for field in fields(cls)})


@dataclass
class Usage:
    requests: int = 0
    cached: int = 0
    retries: int = 0
    invalid: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0


class LLMClient:
    def __init__(self, settings: EndpointSettings, sleep: Callable[[float], None] = time.sleep):
        self.settings = settings
        self._key = os.environ.get(settings.api_key_env, "")
        if not self._key:
            raise LLMError(
                f"environment variable {settings.api_key_env} is not set; it must hold the API"
                f" key for {settings.base_url} (config: generation.openai.api_key_env)"
            )
        self.client = openai.OpenAI(
            base_url=settings.base_url,
            api_key=self._key,
            timeout=settings.timeout_s,
            max_retries=0,
        )
        self.cache = ResponseCache(Path(settings.cache_dir))
        self.limiter = RateLimiter(
            settings.requests_per_minute,
            settings.tokens_per_minute,
            Path(settings.cache_dir) / "rate_limit.json",
        )
        self.sleep = sleep
        self.usage = Usage()

    def redact(self, text: str) -> str:
        return text.replace(self._key, "***") if self._key else text

    # --- transport ---------------------------------------------------------------
    def check_endpoint(self) -> None:
        """Fail fast, before any record, if the endpoint is unreachable or refuses the key."""
        self.limiter.acquire(0)  # a request like any other
        try:
            self.client.with_options(timeout=min(10.0, self.settings.timeout_s)).models.list()
        except openai.APIConnectionError as error:
            raise LLMError(
                f"cannot reach {self.settings.base_url} (config: generation.openai.base_url):"
                f" {self.redact(str(error))}"
            ) from None
        except (openai.RateLimitError, openai.InternalServerError):
            pass  # reachable but busy: the calls themselves retry
        except openai.APIStatusError as error:
            if error.status_code != 404:  # some servers do not list models: not fatal
                raise LLMError(self._refused(error)) from None

    def _with_retries(self, call: Callable):
        """Retry on 429, 5xx, timeouts and lost connections: exponential backoff with jitter."""
        attempts = self.settings.max_retries + 1
        for attempt in range(attempts):
            try:
                return call()
            except RETRYABLE as error:
                if attempt == attempts - 1:
                    hint = (
                        "try another generation.openai.structured_output"
                        if "response_format" in str(error)
                        else "raise generation.openai.max_retries or try later"
                    )
                    raise LLMError(
                        f"{self.settings.base_url} still failing after {attempts} attempts"
                        f" ({type(error).__name__}: {self.redact(str(error))}); {hint}"
                    ) from None
                delay = self._backoff(attempt, error)
                self.usage.retries += 1
                log.warning("%s; retrying in %.2f s", type(error).__name__, delay)
                self.sleep(delay)
            except openai.APIStatusError as error:
                raise LLMError(self._refused(error)) from None

    def _backoff(self, attempt: int, error: Exception) -> float:
        """Equal-jitter exponential backoff, at least the server's Retry-After."""
        ceiling = min(60.0, self.settings.backoff_s * 2**attempt)
        delay = ceiling / 2 + random.uniform(0, ceiling / 2)
        response = getattr(error, "response", None)
        retry_after = response.headers.get("retry-after") if response is not None else None
        if retry_after:
            with contextlib.suppress(ValueError):  # an HTTP date rather than seconds
                delay = max(delay, min(60.0, float(retry_after)))
        return delay

    def _refused(self, error: openai.APIStatusError) -> str:
        hint = ""
        if error.status_code in (401, 403):
            hint = f"; check the key in ${self.settings.api_key_env}"
        elif error.status_code in (400, 422, 500) and "response_format" in str(error):
            hint = "; try another generation.openai.structured_output"
        return (
            f"{self.settings.base_url} refused the request (HTTP {error.status_code}):"
            f" {self.redact(str(error))}{hint}"
        )

    def _send(self, request: dict, estimate: int):
        """One attempt, booked with the rate limiter like every other."""
        self.limiter.acquire(estimate)
        response = self.client.chat.completions.create(**request)
        if not getattr(response, "choices", None):
            raise MalformedReply(f"the reply is no chat completion: {str(response)[:200]!r}")
        return response

    # --- one completion ------------------------------------------------------------
    def _response_format(self, schema: dict) -> dict:
        style = self.settings.structured_output
        if style == "json_schema":
            return {
                "type": "json_schema",
                "json_schema": {"name": schema["title"], "schema": schema},
            }
        if style == "json_object_schema":
            return {"type": "json_object", "schema": schema}
        return {"type": "json_object"}

    def complete(self, messages: list[dict], schema: dict, seed: int) -> str:
        """The reply's text: from the cache if this exact request succeeded before."""
        request = {
            "model": self.settings.model,
            "messages": messages,
            "temperature": self.settings.temperature,
            "max_tokens": self.settings.max_tokens,
            "response_format": self._response_format(schema),
            "seed": seed,
        }
        key = self.cache.key({"base_url": self.settings.base_url, **request})
        cached = self.cache.get(key)
        if cached is not None:
            self.usage.cached += 1
            return cached["content"]
        estimate = len(json.dumps(messages)) // 4 + self.settings.max_tokens
        response = self._with_retries(lambda: self._send(request, estimate))
        # a server may echo the request's headers: the key never reaches a file
        content = self.redact(response.choices[0].message.content or "")
        usage = response.usage
        prompt_tokens = usage.prompt_tokens if usage else 0
        completion_tokens = usage.completion_tokens if usage else 0
        self.limiter.settle(prompt_tokens + completion_tokens or estimate)
        self.usage.requests += 1
        self.usage.prompt_tokens += prompt_tokens
        self.usage.completion_tokens += completion_tokens
        self.cache.put(key, {"content": content})
        return content

    def ask(
        self,
        messages: list[dict],
        draft_type: type[Draft],
        check: Callable[[Draft], str | None],
        seed: int,
        schema: dict | None = None,
    ) -> Draft | None:
        """A reply that parses as `draft_type` and passes `check`, re-asking with the error.

        `schema` (default: the draft type's) is what the server is asked to follow.
        """
        conversation = list(messages)
        schema = schema or draft_type.model_json_schema()
        for _ in range(1 + self.settings.max_reasks):
            content = self.complete(conversation, schema, seed)
            try:
                draft = draft_type.model_validate(json.loads(content, strict=False))
                problem = check(draft)
            except json.JSONDecodeError as error:
                problem = f"it is not valid JSON ({error})"
            except ValidationError as error:
                problem = f"it does not match the JSON schema ({summarize(error)})"
            if problem is None:
                return draft
            self.usage.invalid += 1
            log.info("invalid reply (%s); re-asking", problem)
            conversation += [
                {"role": "assistant", "content": content},
                {
                    "role": "user",
                    "content": f"That reply is not valid: {problem}. Reply again with only the"
                    " corrected JSON object.",
                },
            ]
        return None

    def log_usage(self) -> None:
        u = self.usage
        log.info(
            "LLM calls: %d made, %d from cache, %d retries, %d invalid replies;"
            " tokens: %d prompt, %d completion",
            u.requests,
            u.cached,
            u.retries,
            u.invalid,
            u.prompt_tokens,
            u.completion_tokens,
        )
