"""The openai backend against a real OpenAI-compatible server: llama.cpp serving SmolLM2.

Run with `make test-llm` (it compiles llama-cpp-python[server] once, ~8 minutes).
SmolLM2-135M writes valid profiles under grammar constraints but cannot yet write
facts that pass the red team's grounding rules; the facts stage needs a stronger model.
"""

import importlib.util
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from conftest import API_KEY, openai_settings

from unlearnflow.data.generate import generate_profiles
from unlearnflow.data.llm_client import LLMError
from unlearnflow.data.records import Profile
from unlearnflow.jsonl import read_jsonl
from unlearnflow.models import embedded_gguf

pytestmark = [
    pytest.mark.llm,
    pytest.mark.skipif(
        importlib.util.find_spec("llama_cpp") is None,
        reason="needs llama-cpp-python[server]: run make test-llm",
    ),
]


@pytest.fixture(scope="module")
def server_url():
    folder, file = embedded_gguf("smollm2-135m-instruct")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [
        sys.executable,
        "-m",
        "llama_cpp.server",
        "--model",
        str(folder / file),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--n_ctx",
        "2048",
        "--n_threads",
        "2",
        "--n_threads_batch",
        "2",
        "--interrupt_requests",
        "False",
        "--model_alias",
        "smollm2",
    ]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{url}/models", timeout=2).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "llama.cpp server did not start"
                time.sleep(0.5)
        yield url
    finally:
        server.kill()
        server.wait()


@pytest.fixture(autouse=True)
def api_key(monkeypatch):
    monkeypatch.setenv("UNLEARNFLOW_TEST_KEY", API_KEY)


def backend(url, cache, **overrides):
    # A 135M model collapses onto a few names: sample hot and often.
    settings = {
        "model": "smollm2",
        "structured_output": "json_object_schema",
        "timeout_s": 120,
        "temperature": 1.3,
        "max_samples": 12,
        "max_reasks": 1,
        **overrides,
    }
    return {"name": "openai", "seed": 0, "openai": openai_settings(url, cache, **settings)}


def test_profiles_from_the_real_server_then_from_the_cache(server_url, tmp_path):
    settings = backend(server_url, tmp_path / "cache")
    generate_profiles(settings, 3, 1, tmp_path / "a.jsonl")
    profiles = read_jsonl(tmp_path / "a.jsonl", Profile)
    assert len(profiles) == 4 and len({p.name for p in profiles}) == 4
    assert all(len(p.name.split()) >= 2 and 1900 <= p.birth_year <= 2010 for p in profiles)
    cached = sorted((tmp_path / "cache").rglob("*.json"))
    assert len(cached) >= 4
    generate_profiles(settings, 3, 1, tmp_path / "b.jsonl")  # every reply from the cache
    assert sorted((tmp_path / "cache").rglob("*.json")) == cached
    assert (tmp_path / "a.jsonl").read_bytes() == (tmp_path / "b.jsonl").read_bytes()


def test_unsupported_structured_output_style_names_the_setting(server_url, tmp_path):
    settings = backend(
        server_url, tmp_path / "cache", structured_output="json_schema", max_retries=1
    )
    with pytest.raises(LLMError, match="structured_output"):
        generate_profiles(settings, 1, 1, tmp_path / "profiles.jsonl")
    assert not (tmp_path / "profiles.jsonl").exists()
