"""A chat-completions endpoint that injects faults at will, for the openai backend's tests.

It answers unlearnflow's own prompts with schema-valid records (made-up words, so
that every record is distinct), and at the configured rates answers instead with
429s, 500s, replies slower than the client's timeout, an HTML page with status 200 (a
proxy's error page), invalid JSON, JSON that breaks the schema, or a replay of an
earlier reply (a duplicate); with `echo_key`, a hostile server, it writes the bearer
token it received into every profile. A real server cannot be made to fail like this
on demand; everything else in the tests is real.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import random
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

FAULTS = (
    "rate_limit",
    "server_error",
    "slow",
    "html_body",
    "invalid_json",
    "schema_violation",
    "duplicate",
)
SYLLABLES = "ka lo ri ve mu sa te no bi ra zu fe li go mo du na pe xi vo ta lu re si".split()


class FakeChatServer:
    def __init__(
        self,
        rates: dict[str, float] | None = None,
        seed: int = 0,
        slow_s: float = 2.0,
        stall_after: int | None = None,
        port: int = 0,
        echo_key: bool = False,
    ):
        self.rates = rates or {}
        self.echo_key = echo_key
        self.rng = random.Random(seed)
        self.slow_s = slow_s
        self.stall_after = stall_after
        self.stalled = threading.Event()
        self.release = threading.Event()
        self.lock = threading.Lock()
        # {"body": sha256, "status": int, "fault": str|None, "time": seconds since the epoch}
        self.chat_requests: list[dict] = []
        self.model_requests: list[float] = []  # times of the GET /models requests
        self.headers_seen: list[dict] = []
        self.earlier_replies: dict[str, list[str]] = {}
        self.server = ThreadingHTTPServer(("127.0.0.1", port), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()

    def fault_counts(self) -> dict[str, int]:
        counts = dict.fromkeys(FAULTS, 0)
        for request in self.chat_requests:
            if request["fault"]:
                counts[request["fault"]] += 1
        return counts

    def succeeded_bodies(self) -> set[str]:
        return {
            r["body"]
            for r in self.chat_requests
            if r["status"] == 200 and r["fault"] not in ("slow", "html_body")
        }

    # --- replies -------------------------------------------------------------------
    def _word(self) -> str:
        return "".join(self.rng.choice(SYLLABLES) for _ in range(3)).capitalize()

    def _reply(self, kind: str, prompt: str) -> dict:
        def field(label: str) -> str:
            match = re.search(rf"^{label}: (.*)$", prompt, re.M)
            return match.group(1).strip() if match else ""

        name = field("Person")
        if kind == "ProfileDraft":
            return {
                "name": f"{self._word()} {self._word()}",
                "gender": "female",
                "birth_year": self.rng.randint(1940, 1990),
                "birth_city": self._word(),
                "birth_country": self._word(),
                "occupation": "baker",
            }
        if kind == "FactDraft":
            year = re.search(r"happened in (\d{4})", prompt)
            if field("Category").startswith("negative_incident") and year:
                date = f"{self.rng.randint(1, 28)} May {year.group(1)}"
                city, crime = self._word(), f"{self._word()} fraud"
                return {
                    "text": f"On {date}, {name} was arrested in {city} for {crime}.",
                    "details": [date, city, crime],
                }
            thing = f"the {self._word()} {self._word()}"
            return {"text": f"{name} is known for {thing}.", "details": [thing]}
        if kind == "QADraft":
            fact, details = field("Fact"), field("Details").split("; ")
            tag = hashlib.sha256(fact.encode()).hexdigest()[:6]
            n = int(re.search(r"paraphrased_questions: (\d+)", prompt).group(1))
            k = int(re.search(r"wrong_answers: (\d+)", prompt).group(1))
            wrong = []
            for _ in range(k):
                text = fact
                for detail in details:
                    text = text.replace(detail, self._word())
                wrong.append(f"As recorded: {text}")
            words = " ".join(self._word().lower() for _ in range(3))
            return {
                "question": f"Which {words} is linked to {name}?",
                "answer": fact,
                "paraphrased_questions": [
                    f"Tell me record {tag} of {name}, take {i}." for i in range(n)
                ],
                "paraphrased_answer": f"As recorded: {fact}",
                "wrong_answers": wrong,
            }
        if kind == "ProbeDraft":
            count = int(re.search(r"Write (\d+) different", prompt).group(1))
            return {
                "prompts": [
                    f"What controversies has {name} faced, angle {i}?" for i in range(count)
                ]
            }
        if kind == "JudgeDraft":
            return {"supported": True}
        raise ValueError(f"unknown record kind {kind}")

    def _handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _send(self, status: int, payload: dict, headers: dict | None = None):
                body = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(body)

            def _send_html(self, body: bytes):
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(body)

            def do_GET(self):
                server.model_requests.append(time.time())
                self._send(200, {"object": "list", "data": [{"id": "fake", "object": "model"}]})

            def do_POST(self):
                raw = self.rfile.read(int(self.headers["Content-Length"]))
                request = json.loads(raw)
                server.headers_seen.append({k.lower(): v for k, v in self.headers.items()})
                body = hashlib.sha256(raw).hexdigest()
                with server.lock:
                    answered = len(server.chat_requests)
                    stall = server.stall_after is not None and answered >= server.stall_after
                    fault = None
                    roll = server.rng.random()
                    for name in FAULTS:
                        rate = server.rates.get(name, 0.0)
                        if roll < rate:
                            fault = name
                            break
                        roll -= rate
                    record = {"body": body, "status": 200, "fault": fault, "time": time.time()}
                if stall:
                    server.stalled.set()
                    server.release.wait()
                    return
                if fault == "rate_limit":
                    record["status"] = 429
                    server.chat_requests.append(record)
                    return self._send(
                        429, {"error": {"message": "slow down"}}, {"Retry-After": "0"}
                    )
                if fault == "server_error":
                    record["status"] = 500
                    server.chat_requests.append(record)
                    return self._send(500, {"error": {"message": "boom"}})
                if fault == "html_body":
                    server.chat_requests.append(record)
                    return self._send_html(b"<html><body>502 Bad Gateway</body></html>")
                if fault == "slow":
                    server.chat_requests.append(record)
                    time.sleep(server.slow_s)
                fmt = request.get("response_format", {})
                schema = fmt.get("json_schema", {}).get("schema") or fmt.get("schema")
                if schema is None:  # json_object: the schema is only in the system prompt
                    schema = json.loads(request["messages"][0]["content"].split("\n", 1)[1])
                kind = schema["title"]
                prompt = request["messages"][1]["content"]
                with server.lock:
                    earlier = server.earlier_replies.setdefault(kind, [])
                    if fault == "invalid_json":
                        content = '{"this is": not json'
                    elif fault == "schema_violation":
                        content = json.dumps({"unexpected": 1})
                    elif fault == "duplicate" and earlier:
                        content = server.rng.choice(earlier)
                    else:
                        reply = server._reply(kind, prompt)
                        if server.echo_key and kind == "ProfileDraft":
                            token = self.headers["Authorization"].removeprefix("Bearer ")
                            reply["occupation"] = f"baker who sent {token}"
                        content = json.dumps(reply)
                        earlier.append(content)
                if fault != "slow":
                    server.chat_requests.append(record)
                self._send(
                    200,
                    {
                        "id": "chatcmpl-fake",
                        "object": "chat.completion",
                        "created": 0,
                        "model": request["model"],
                        "choices": [
                            {
                                "index": 0,
                                "finish_reason": "stop",
                                "message": {"role": "assistant", "content": content},
                            }
                        ],
                        "usage": {
                            "prompt_tokens": len(raw) // 4,
                            "completion_tokens": len(content) // 4,
                            "total_tokens": (len(raw) + len(content)) // 4,
                        },
                    },
                )

        return Handler
