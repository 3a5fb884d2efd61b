"""The openai backend against a chat-completions server that injects faults."""

import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest
from conftest import API_KEY, ROOT, SMALL_DATA, generate_all, openai_settings
from fake_chat_server import FakeChatServer

from unlearnflow.data.llm_client import LLMError
from unlearnflow.data.records import QA, Fact, Profile
from unlearnflow.data.validate import validate_data
from unlearnflow.jsonl import read_jsonl

FAULT_RATES = {
    "rate_limit": 0.1,
    "server_error": 0.1,
    "slow": 0.05,
    "html_body": 0.05,
    "invalid_json": 0.1,
    "schema_violation": 0.1,
    "duplicate": 0.15,
}


@pytest.fixture(autouse=True)
def api_key(monkeypatch):
    monkeypatch.setenv("UNLEARNFLOW_TEST_KEY", API_KEY)


def backend(server_url, cache_dir, **overrides):
    return {
        "name": "openai",
        "seed": 0,
        "openai": openai_settings(server_url, cache_dir, **overrides),
    }


def test_faults_still_yield_exactly_the_requested_records(tmp_path):
    with FakeChatServer(FAULT_RATES, seed=1, slow_s=1.0) as server:
        paths = generate_all(
            backend(server.base_url, tmp_path / "cache"), SMALL_DATA, tmp_path / "data"
        )
    faults = server.fault_counts()
    assert all(count > 0 for count in faults.values()), faults
    report = tmp_path / "report.json"
    validate_data(SMALL_DATA, None, report=report, **paths)  # raises on any hard violation
    assert len(read_jsonl(paths["profiles"], Profile)) == 6
    assert len(read_jsonl(paths["forget"], QA)) == 4
    assert len({p.name for p in read_jsonl(paths["profiles"], Profile)}) == 6


def test_json_object_schema_style_sends_llama_cpp_format(tmp_path):
    with FakeChatServer() as server:
        generate_all(
            backend(server.base_url, tmp_path / "cache", structured_output="json_object_schema"),
            {**SMALL_DATA, "people": 1, "holdout_people": 1},
            tmp_path / "data",
        )
    assert server.chat_requests


def test_rerun_is_served_from_the_cache(tmp_path):
    with FakeChatServer() as server:
        settings = backend(server.base_url, tmp_path / "cache")
        first = generate_all(settings, SMALL_DATA, tmp_path / "a")
        calls = len(server.chat_requests)
        second = generate_all(settings, SMALL_DATA, tmp_path / "b")
    assert len(server.chat_requests) == calls
    for name in first:
        assert first[name].read_bytes() == second[name].read_bytes()


def test_missing_key_fails_before_any_request(tmp_path, monkeypatch):
    monkeypatch.delenv("UNLEARNFLOW_TEST_KEY")
    with FakeChatServer() as server, pytest.raises(LLMError, match="UNLEARNFLOW_TEST_KEY"):
        generate_all(backend(server.base_url, tmp_path / "cache"), SMALL_DATA, tmp_path)
    assert not server.model_requests and not server.chat_requests
    assert not (tmp_path / "profiles.jsonl").exists()


def test_unreachable_endpoint_fails_fast_naming_the_url(tmp_path):
    url = "http://127.0.0.1:9/v1"  # the discard port: nothing listens
    start = time.monotonic()
    with pytest.raises(LLMError, match=r"cannot reach http://127\.0\.0\.1:9/v1 .*base_url"):
        generate_all(backend(url, tmp_path / "cache"), SMALL_DATA, tmp_path)
    assert time.monotonic() - start < 15
    assert not (tmp_path / "profiles.jsonl").exists()


def test_persistent_server_errors_give_up_with_a_clear_message(tmp_path):
    with (
        FakeChatServer({"server_error": 1.0}) as server,
        pytest.raises(LLMError, match="still failing after 3 attempts.*max_retries"),
    ):
        generate_all(
            backend(server.base_url, tmp_path / "cache", max_retries=2), SMALL_DATA, tmp_path
        )
    assert len(server.chat_requests) == 3


def test_key_is_written_nowhere_and_sent_as_bearer(tmp_path):
    """Even a server that echoes the key into its replies gets it into no file."""
    rates = {"rate_limit": 0.2, "invalid_json": 0.2}
    with FakeChatServer(rates, echo_key=True) as server:
        generate_all(backend(server.base_url, tmp_path / "cache"), SMALL_DATA, tmp_path / "data")
    assert server.headers_seen[0]["authorization"] == f"Bearer {API_KEY}"
    files = [path for path in tmp_path.rglob("*") if path.is_file()]
    assert len(files) > 20
    for path in files:
        assert API_KEY.encode() not in path.read_bytes(), path
    assert "baker who sent ***" in (tmp_path / "data" / "profiles.jsonl").read_text()


def test_a_reply_that_is_no_completion_is_retried_then_named_with_the_url(tmp_path):
    with FakeChatServer({"html_body": 1.0}) as server, pytest.raises(LLMError) as error:
        generate_all(
            backend(server.base_url, tmp_path / "cache", max_retries=2), SMALL_DATA, tmp_path
        )
    assert len(server.chat_requests) == 3
    assert server.base_url in str(error.value)
    assert "no chat completion" in str(error.value) and "502 Bad Gateway" in str(error.value)


DRIVER = textwrap.dedent("""
    import json, sys
    sys.path.insert(0, {tests!r})
    from conftest import generate_all
    from pathlib import Path
    backend, data, folder = json.loads(sys.argv[1])
    generate_all(backend, data, Path(folder))
""")


def test_resume_after_kill_repeats_no_successful_call(tmp_path):
    """Kill a run midway; the re-run completes and re-sends no request that had succeeded."""
    driver = DRIVER.format(tests=str(ROOT / "tests"))
    env = {**os.environ, "UNLEARNFLOW_TEST_KEY": API_KEY}
    rates = {"rate_limit": 0.1, "server_error": 0.1, "invalid_json": 0.1, "duplicate": 0.1}
    with FakeChatServer(rates, seed=2, stall_after=25) as server:
        args = json.dumps(
            [backend(server.base_url, str(tmp_path / "cache")), SMALL_DATA, str(tmp_path / "data")]
        )
        run = subprocess.Popen(
            [sys.executable, "-c", driver, args], env=env, start_new_session=True
        )
        assert server.stalled.wait(120), "the first run never reached the stall"
        os.killpg(run.pid, signal.SIGKILL)
        run.wait()
        first_run = server.succeeded_bodies()
        port = server.port
    assert not (tmp_path / "data" / "forget.jsonl").exists()

    with FakeChatServer(rates, seed=3, port=port) as server:  # the same endpoint, restarted
        args = json.dumps(
            [backend(server.base_url, str(tmp_path / "cache")), SMALL_DATA, str(tmp_path / "data")]
        )
        subprocess.run([sys.executable, "-c", driver, args], env=env, check=True, timeout=300)
        second_run = [request["body"] for request in server.chat_requests]
    assert len(first_run) >= 20 and second_run
    assert not first_run.intersection(second_run)
    assert len(read_jsonl(tmp_path / "data" / "facts.jsonl", Fact)) == 6 * 4


def test_llm_judge_and_usage_in_the_log(tmp_path, caplog):
    caplog.set_level("INFO")
    with FakeChatServer() as server:
        settings = backend(server.base_url, tmp_path / "cache", judge=True)
        paths = generate_all(settings, SMALL_DATA, tmp_path / "data")
        validate_data(SMALL_DATA, settings, report=tmp_path / "report.json", **paths)
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["soft_checks"]["llm_judge"]["supported_share"] == 1.0
    usage = [r.getMessage() for r in caplog.records if r.getMessage().startswith("LLM calls:")]
    assert usage and "tokens:" in usage[0]
    made = sum(int(line.split("LLM calls: ")[1].split(" made")[0]) for line in usage)
    assert made == len(server.chat_requests)


FAULTS_40 = {
    "rate_limit": 0.1,
    "server_error": 0.1,
    "html_body": 0.05,
    "invalid_json": 0.1,
    "duplicate": 0.05,
}
REQUESTS_PER_MINUTE = 40


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """The tiny workflow's benchmark through the openai backend: four generation rules,
    each its own process, under 40 % faults and a limit of REQUESTS_PER_MINUTE."""
    from workflow import snakemake, tiny_config, write_config

    workdir = tmp_path_factory.mktemp("openai")
    with FakeChatServer(FAULTS_40, seed=4) as server:
        config = tiny_config(base="set-by-the-test")
        config["generation"]["backend"] = "openai"
        config["generation"]["openai"].update(
            openai_settings(
                server.base_url,
                workdir / "cache",
                structured_output="json_object",
                requests_per_minute=REQUESTS_PER_MINUTE,
            )
        )
        write_config(workdir, config)
        env = {**os.environ, "UNLEARNFLOW_TEST_KEY": API_KEY}
        result = snakemake(workdir, "data/validation_report.json", env=env)
        assert result.returncode == 0, result.stderr[-3000:]
    times = sorted([r["time"] for r in server.chat_requests] + server.model_requests)
    return workdir, config, times


@pytest.mark.workflow
def test_the_rate_limit_holds_across_rules_and_retries(generated):
    _, _, times = generated
    busiest = max(sum(t < start + 60 for t in times[i:]) for i, start in enumerate(times))
    assert len(times) > REQUESTS_PER_MINUTE  # the limit had to act
    assert busiest <= REQUESTS_PER_MINUTE


@pytest.mark.workflow
def test_transport_settings_replan_nothing(generated):
    """Rate limits, timeouts, retries, the key's variable and the cache folder change how
    requests are sent, not what the records say: no job re-plans; a sampling setting does."""
    from workflow import planned_jobs, snakemake, write_config

    workdir, config, _ = generated
    target = "data/validation_report.json"
    transport = {
        "requests_per_minute": 99999,
        "tokens_per_minute": 7,
        "max_retries": 1,
        "backoff_s": 2.5,
        "timeout_s": 30,
        "cache_dir": str(workdir / "elsewhere"),
        "api_key_env": "ANOTHER_VARIABLE",
    }
    openai = config["generation"]["openai"]
    for key, value in transport.items():
        changed = {"backend": "openai", "openai": {**openai, key: value}}
        write_config(workdir, {**config, "generation": changed})
        assert planned_jobs(snakemake(workdir, "-n", target)) == set(), key
    changed = {"backend": "openai", "openai": {**openai, "temperature": 0.5}}
    write_config(workdir, {**config, "generation": changed})
    assert "generate_profiles" in planned_jobs(snakemake(workdir, "-n", target))
