"""The real Snakemake on the tiny config: runs, caches, and re-runs only what a change touches."""

import json
from pathlib import Path

import pytest
import yaml
from tofu_reference import get_forget_quality, get_model_utility
from workflow import planned_counts, planned_jobs, snakemake, tiny_config, write_config

pytestmark = pytest.mark.workflow
# What every new or changed evaluation of a trained model also plans: its TOFU eval logs,
# its quantized evaluation, the tables, the figures and the provenance; a new or changed
# model also its representation drift (with its probes' answer states), the probes and
# its relearning attack.
QUANTIZED = {
    "tofu_eval_logs",
    "quantize_evaluate",
    "quantize_results",
    "tables",
    "figures",
    "provenance",
    "all",
}
ATTACKED = {"relearn", "relearn_results"}
REPRESENTED = {"representation_drift", "repr_results", "probe_results"}
ANALYSED = QUANTIZED | ATTACKED | REPRESENTED  # not reference_states


@pytest.fixture(scope="module")
def built(tmp_path_factory, tiny_model):
    workdir = tmp_path_factory.mktemp("workflow")
    write_config(workdir, tiny_config(base=str(tiny_model)))
    result = snakemake(workdir)
    assert result.returncode == 0, result.stderr[-3000:]
    return workdir


def edited(workdir, change):
    config = yaml.safe_load((workdir / "config.yaml").read_text())
    change(config)
    write_config(workdir, config)


def test_run_writes_every_artifact(built):
    report = json.loads((built / "data" / "validation_report.json").read_text())
    assert report["passed"]
    for name in ("profiles", "facts", "sf", "sr", "holdout", "wrong_details", "forget_probes"):
        assert (built / "data" / f"{name}.jsonl").stat().st_size > 0
    assert (built / "results" / "models" / "base" / "model.safetensors").exists()
    assert (built / "logs" / "generate_qa.log").exists()
    rows = json.loads((built / "results" / "sweep_results.json").read_text())
    # tiny.yaml: two replicate seeds of every trained model
    assert [row["model"] for row in rows] == [
        "base",
        "seed~0/finetuned",
        "seed~0/retain_only",
        "seed~1/finetuned",
        "seed~1/retain_only",
        "seed~0/unlearn/ga/lr~0.0001_epochs~1",
        "seed~0/unlearn/npo/lr~0.0001_epochs~1_beta~0.1",
        "seed~1/unlearn/ga/lr~0.0001_epochs~1",
        "seed~1/unlearn/npo/lr~0.0001_epochs~1_beta~0.1",
    ]
    npo = rows[6]
    assert npo["method"] == "npo" and npo["beta"] == 0.1 and npo["diverged"] is False
    for key in (
        "forget_rouge_l",
        "forget_exact_memorization",
        "forget_extraction_strength",
        "retain_rouge_l",
        "model_utility",
        "real_world_rouge_l",
        "forget_quality",
        "mia_auc_min_k_plus_plus",
        "leakage_rate",
    ):
        # every metric with its interval over items, around it
        low, high = npo[f"{key}_ci_low"], npo[f"{key}_ci_high"]
        assert low - 1e-9 <= npo[key] <= high + 1e-9, key
    gold = rows[4]
    assert npo["real_world_rouge_l"] == pytest.approx(
        (npo["real_authors_rouge_l"] + npo["world_facts_rouge_l"]) / 2
    )
    assert gold["forget_quality"] == 1.0  # the gold model against its own seed's
    assert gold["forget_quality_ci_low"] == 1.0 and gold["privleak"] == 0.0
    assert rows[0]["method"] == "base" and rows[0]["train_seconds"] is None
    # tiny.yaml's retain subset holds one correlated item: no interval; and with two
    # non-members, some resamples leave the gold model's AUC at 1: privleak undefined
    assert npo["retain_correlated_rouge_l_ci_low"] is None
    assert npo["privleak"] is not None and "privleak_ci_low" in npo
    assert (built / "results" / "sweep_results.csv").read_text().startswith("model,point,seed")


def test_quantization_and_representation_tables(built):
    rows = json.loads((built / "results" / "quantize_results.json").read_text())
    assert [(row["scheme"], row["model"]) for row in rows][:2] == [
        ("rtn-int4", "seed~0/finetuned"),
        ("rtn-int4", "seed~0/retain_only"),
    ]
    assert len(rows) == 8 and all(row["bits"] == 4 for row in rows)
    quantized = json.loads(
        (built / "results" / "quantize" / "rtn-int4" / "seed~0" / "finetuned.json").read_text()
    )
    assert quantized["quantization"] == {"scheme": "rtn-int4", "group_size": 16}
    unlearned = rows[4]
    assert "delta_forget_rouge_l" in unlearned and "recovery_forget_prob_ci_low" in unlearned
    tables = json.loads((built / "results" / "repr_results.json").read_text())
    layers = [0, 1, 2]  # tiny.yaml: 0, middle and last of 2 blocks
    finetuned = [r for r in tables["drift"] if r["model"] == "seed~1/finetuned"]
    assert len(finetuned) == 2 * 2 * len(layers)  # splits x references x layers
    against_itself = [r for r in finetuned if r["reference"] == "finetuned"]
    assert all(r["delta_norm"] == 0 and r["cosine"] == pytest.approx(1) for r in against_itself)
    assert all(r["delta_norm_ci_high"] == 0 for r in against_itself)
    lens = [r["layer"] for r in tables["logit_lens"] if r["model"] == "seed~0/retain_only"]
    assert lens == layers


def test_relearning_attacks_every_trained_model(built):
    """tiny.yaml: the forget_share attack (one of the three forget items) on the eight
    trained models, the other two evaluated before it and after 1 and 2 steps."""
    rows = json.loads((built / "results" / "relearn_results.json").read_text())
    assert len(rows) == 8 * 3
    assert {(row["attack"], row["steps"]) for row in rows} == {
        ("forget_share", k) for k in (0, 1, 2)
    }
    run = json.loads((built / "results/relearn/forget_share/seed~0/finetuned.json").read_text())
    assert len(run["attacked_with"]) == 1 and len(run["evaluated"]) == 2
    gold = json.loads((built / "results/relearn/forget_share/seed~0/retain_only.json").read_text())
    assert gold["evaluated"] == run["evaluated"]  # one evaluated set for every model
    evaluation = json.loads((built / "results/eval/seed~0/finetuned.json").read_text())
    before = {item["id"]: item for item in evaluation["splits"]["forget"]["items"]}
    for item in run["results"][0]["items"]:  # before the attack: the model's own evaluation
        assert item["answer_loss"] == pytest.approx(before[item["id"]]["answer_loss"])
    table = (built / "results" / "tables" / "relearn.md").read_text()
    assert "ROUGE-L after 2" in table and "steps to half recovery" in table


def test_probes_of_every_trained_model(built):
    """tiny.yaml: probes at layers 0, 1 and 2 of the eight trained models, trained on
    each seed's fine-tuned model; the table reads them at the fine-tuned's best layer."""
    rows = json.loads((built / "results" / "probe_results.json").read_text())
    assert len(rows) == 8 * 3
    assert {row["layer"] for row in rows} == {0, 1, 2}
    for row in rows:
        assert 0 <= row["probe_accuracy"] <= 1
        assert row["probe_accuracy_ci_low"] <= row["probe_accuracy"] + 1e-9
    states = built / "results" / "repr" / "answers" / "seed~0" / "retain_only.safetensors"
    from unlearnflow.probes import AnswerStates

    saved = AnswerStates.load(states)
    assert saved.layers == [0, 1, 2] and saved.wrong == [3, 3, 3]  # tiny.yaml: 3 wrong answers
    table = (built / "results" / "tables" / "probes.md").read_text()
    assert "fine-tuned's best layer" in table and "| gold" in table


def test_the_epoch_axis_evaluates_every_saved_epoch(built, tmp_path):
    """ga at 1 and 2 epochs, every epoch saved: the two-epoch run's model after its first
    epoch is the one-epoch run's model (same seed, same batches, constant learning rate),
    hard-linked out of the run's epochs folder, and evaluated and drifted like it."""
    import shutil

    import torch
    from safetensors.torch import load_file

    from unlearnflow.plots import forgetting_by_epoch, layerdrift_by_epoch

    project = tmp_path / "project"
    shutil.copytree(built, project, symlinks=True)

    def every_epoch(config):
        config["training"]["unlearn"]["save_every_epoch"] = True
        config["unlearn"] = {"ga": {**config["unlearn"]["ga"], "epochs": [1, 2]}}
        config["seeds"] = [0]

    edited(project, every_epoch)
    result = snakemake(project, "results/epoch_results.json")
    assert result.returncode == 0, result.stderr[-3000:]
    models = project / "results" / "models" / "seed~0" / "unlearn" / "ga"
    after_one = models / "lr~0.0001_epochs~2@epoch~1"
    saved = models / "lr~0.0001_epochs~2@epochs" / "epoch~1"
    for file in saved.iterdir():
        assert file.stat().st_ino == (after_one / file.name).stat().st_ino  # no copy
    weights = "adapter_model.safetensors"
    first, alone = (
        load_file(after_one / weights),
        load_file(models / "lr~0.0001_epochs~1" / weights),
    )
    assert first.keys() == alone.keys()
    assert all(torch.equal(first[key], alone[key]) for key in first)
    last = load_file(models / "lr~0.0001_epochs~2" / weights)
    assert any(not torch.equal(first[key], last[key]) for key in first)

    epochs = json.loads((project / "results" / "epoch_results.json").read_text())
    runs = {(row["run"], row["epoch"]) for row in epochs["metrics"]}
    assert runs == {
        ("unlearn/ga/lr~0.0001_epochs~1", 1),
        ("unlearn/ga/lr~0.0001_epochs~2", 1),
        ("unlearn/ga/lr~0.0001_epochs~2", 2),
    }
    by_model = {row["model"]: row for row in epochs["metrics"]}
    same = by_model["seed~0/unlearn/ga/lr~0.0001_epochs~2@epoch~1"]
    assert (
        same["forget_rouge_l"] == by_model["seed~0/unlearn/ga/lr~0.0001_epochs~1"]["forget_rouge_l"]
    )
    assert {row["layer"] for row in epochs["drift"]} == {0, 1, 2}
    for draw in (forgetting_by_epoch, layerdrift_by_epoch):
        assert draw(epochs).axes


def test_summary_tables_in_three_formats(built):
    folder = built / "results" / "tables"
    for name in ("sweep", "quantize", "drift"):
        assert (folder / f"{name}.csv").read_text().startswith("model,")
        assert "\\toprule" in (folder / f"{name}.tex").read_text()
    sweep = (folder / "sweep.md").read_text().splitlines()
    # header, rule, 5 model points: the two seeds folded into one row each
    assert sweep[0].startswith("| model") and len(sweep) == 2 + 5
    assert "npo lr=0.0001 epochs=1 beta=0.1" in (folder / "sweep.md").read_text()
    # the interval across the two seeds: a t-interval around their mean
    import pandas as pd

    table = pd.read_csv(folder / "sweep.csv", index_col="model")
    rows = json.loads((built / "results" / "sweep_results.json").read_text())
    seeds = [row["forget_prob"] for row in rows if row["point"] == "finetuned"]
    assert table.loc["fine-tuned", "forget Prob"] == pytest.approx(sum(seeds) / 2)
    if seeds[0] != seeds[1]:
        assert table.loc["fine-tuned", "forget Prob low"] < min(seeds)
    findings = (folder / "findings.md").read_text()
    assert "retain gap (correlated − other ROUGE-L)" in findings
    # an unchanged model's middle layer: the interval supports "barely drifts"
    middle = next(line for line in findings.splitlines() if "middle layer (1)" in line)
    assert middle.rstrip(" |").endswith("yes")
    robustness = (folder / "robustness.md").read_text().splitlines()
    # header, rule, the four trained points; float, rtn-int4, the attack, the probes
    assert len(robustness) == 2 + 4 and "| gold" in "\n".join(robustness)
    for column in ("float", "rtn-int4", "forget_share: before", "forget_share: 2 steps"):
        assert column in robustness[0]
    assert "probe accuracy (layer" in robustness[0]
    quantize = (folder / "quantize.md").read_text()
    assert "| fine-tuned" in quantize and "rtn-int4" in quantize
    assert "nan" not in quantize  # no recovery for the references: an empty cell, "--"


def test_figures_and_the_report(built):
    from unlearnflow.plots import FIGURES

    for name in FIGURES:
        assert (built / "results" / "figures" / f"{name}.png").read_bytes()[:4] == b"\x89PNG"
    result = snakemake(built, "--report", "results/report.html")
    assert result.returncode == 0, result.stderr[-2000:]
    html = (built / "results" / "report.html").read_text()
    assert "knowledge recovery" in html.lower() and "logit lens" in html.lower()


def test_membership_is_attacked_against_holdout_qa_of_the_forget_category(built):
    holdout = [json.loads(line) for line in (built / "data" / "holdout.jsonl").open()]
    assert {row["category"] for row in holdout} > {"negative_incident"}
    evaluation = json.loads((built / "results" / "eval" / "seed~0" / "finetuned.json").read_text())
    expected = [row["qa_id"] for row in holdout if row["category"] == "negative_incident"]
    assert evaluation["mia"]["nonmembers"] == expected
    assert len(evaluation["mia"]["scores"]["min_k"]["holdout"]) == len(expected)
    assert len(expected) == 2  # one per holdout person


def test_tofu_eval_logs_give_tofus_own_summary(built):
    """The TOFU eval logs the workflow writes, read back by `unlearnflow tofu-summary`
    (TOFU's aggregation), give the sweep table's model utility and forget quality."""
    import subprocess
    import sys

    rows = json.loads((built / "results" / "sweep_results.json").read_text())
    checked = 0
    for row in rows:
        if row["model"] == "base":
            continue
        seed = row["model"].split("/")[0]
        summary = subprocess.run(
            [sys.executable, "-m", "unlearnflow.cli", "tofu-summary"]
            + [f"results/tofu_logs/{model}" for model in (row["model"], f"{seed}/retain_only")],
            cwd=built,
            capture_output=True,
            text=True,
            check=True,
        )
        ours = json.loads(summary.stdout)
        assert ours["model_utility"] == pytest.approx(row["model_utility"], abs=1e-9)
        assert ours["forget_quality"] == pytest.approx(row["forget_quality"], abs=1e-9)
        # and TOFU's own aggregation (aggregate_eval_stat.py) on the same files
        own, gold = (
            {
                path.name: json.loads(path.read_text())
                for path in (built / "results" / "tofu_logs" / model).iterdir()
            }
            for model in (row["model"], f"{seed}/retain_only")
        )
        assert get_model_utility(own)["Model Utility"] == pytest.approx(
            row["model_utility"], abs=1e-9
        )
        assert get_forget_quality(own, gold)["Forget Quality"] == pytest.approx(
            row["forget_quality"], abs=1e-9
        )
        checked += 1
    assert checked == len(rows) - 1


def test_second_run_has_nothing_to_do(built):
    assert planned_jobs(snakemake(built, "-n")) == set()


@pytest.mark.parametrize(
    "key, value, expected",
    [
        ("wrong_answers", 4, {"generate_qa", "generate_forget_probes", "validate_data"}),
        ("probes_per_fact", 2, {"generate_forget_probes", "validate_data"}),
        (
            "people",
            4,
            {
                "generate_profiles",
                "generate_facts",
                "generate_qa",
                "generate_forget_probes",
                "validate_data",
            },
        ),
    ],
)
def test_a_setting_replans_only_its_downstream_rules(built, key, value, expected):
    original = (built / "config.yaml").read_text()
    try:
        edited(built, lambda config: config["data"].update({key: value}))
        assert planned_jobs(snakemake(built, "-n", "data/validation_report.json")) == expected
    finally:
        (built / "config.yaml").write_text(original)


def test_sweep_edits_replan_only_what_they_touch(built):
    original = (built / "config.yaml").read_text()
    try:
        edited(built, lambda config: config["unlearn"]["ga"]["lr"].append(3.0e-4))
        result = snakemake(built, "-n")
        assert planned_jobs(result) == {"unlearn", "evaluate", "sweep_results", *ANALYSED}
        assert result.stdout.count("rule unlearn:") == 2  # one per seed
        assert result.stdout.count("rule evaluate:") == 2
        assert result.stdout.count("rule quantize_evaluate:") == 2
        (built / "config.yaml").write_text(original)
        edited(built, lambda config: config["evaluation"].update(max_new_tokens=5))
        result = snakemake(built, "-n")
        assert planned_jobs(result) == {"evaluate", "sweep_results", *QUANTIZED, *ATTACKED}
        assert result.stdout.count("rule evaluate:") == 9  # the base model's too
        assert result.stdout.count("rule quantize_evaluate:") == 8
        (built / "config.yaml").write_text(original)
        edited(built, lambda config: config["intervals"].update(resamples=300))
        result = snakemake(built, "-n")  # intervals are aggregation: no model job re-runs
        assert planned_jobs(result) == {
            "sweep_results", "quantize_results", "repr_results", "relearn_results",
            "probe_results", "tables", "figures", "provenance", "all",
        }  # fmt: skip
    finally:
        (built / "config.yaml").write_text(original)


def test_malformed_data_line_stops_the_consuming_rule(built, tmp_path):
    import shutil

    project = tmp_path / "project"  # a failed job's outputs are removed: work on a copy
    shutil.copytree(built, project, symlinks=True)
    facts = project / "data" / "facts.jsonl"
    lines = facts.read_text().splitlines()
    lines[1] = lines[1].replace('"text"', '"txt"')
    facts.write_text("\n".join(lines) + "\n")
    result = snakemake(project, "data/sf.jsonl", "--forcerun", "generate_qa")
    assert result.returncode != 0
    log = (project / "logs" / "generate_qa.log").read_text()
    assert "data/facts.jsonl:2: not a valid Fact record: text: Field required" in log


def test_editing_package_code_replans_only_the_rules_that_run_it(tmp_path, tiny_model):
    """A copy of the workflow with its run inside: moved elsewhere as a whole, nothing
    re-plans; its package edited, exactly the jobs whose scripts import the edited
    module, directly or not, re-plan."""
    import shutil

    from workflow import ROOT

    built = tmp_path / "built"
    built.mkdir()
    parts = ("Snakefile", "rules", "scripts", "schemas", "envs", "src", "config.yaml", "data/tofu")
    for part in parts:
        copy = shutil.copytree if (ROOT / part).is_dir() else shutil.copy
        copy(ROOT / part, built / part)
    (built / "run").mkdir()
    config = tiny_config(base=str(tiny_model))
    # one replicate, one method, no relearning attack or probe: the plan's shape is what
    # counts (the workflow's other tests plan those)
    config["seeds"] = [0]
    config["unlearn"] = {"ga": config["unlearn"]["ga"]}
    config["relearning"]["attacks"] = []
    config["probes"]["layers"] = []
    write_config(built / "run", config)
    result = snakemake(built / "run", "--snakefile", str(built / "Snakefile"), "--cores", "2")
    assert result.returncode == 0, result.stderr[-2000:]
    project = built.rename(tmp_path / "moved")
    workdir = project / "run"

    def plan():
        return planned_jobs(snakemake(workdir, "-n", "--snakefile", str(project / "Snakefile")))

    assert plan() == set()
    bytecode = project / "src" / "unlearnflow" / "metrics" / "__pycache__"
    bytecode.mkdir(exist_ok=True)
    (bytecode / "rouge.cpython-311.pyc").write_bytes(b"compiled")
    assert plan() == set()  # Python's bytecode caches are no code edit
    # three imports deep below scripts/evaluate.py (and relearn.py, which evaluates), and
    # imported by the aggregation
    deep = project / "src" / "unlearnflow" / "metrics" / "truth_ratio.py"
    original = deep.read_text()
    deep.write_text(original + "\n# an edit\n")
    assert plan() == {"evaluate", "sweep_results", *QUANTIZED}
    deep.write_text(original)
    assert plan() == set()
    registry = project / "src" / "unlearnflow" / "methods" / "__init__.py"
    registry.write_text(registry.read_text() + "\n# a new method's line\n")
    assert plan() == set()
    with open(project / "src" / "unlearnflow" / "methods" / "ga.py", "a") as source:
        source.write("\n# an edit\n")
    result = snakemake(workdir, "-n", "--snakefile", str(project / "Snakefile"))
    drifted = {"representation_drift", "repr_results"}
    assert planned_jobs(result) == {"unlearn", "evaluate", "sweep_results", *QUANTIZED, *drifted}
    assert result.stdout.count("rule unlearn:") == 1
    assert "output: results/models/seed~0/unlearn/ga/" in result.stdout
    with open(project / "src" / "unlearnflow" / "data" / "template.py", "a") as source:
        source.write("\n# an edit\n")
    generation = {"generate_profiles", "generate_facts", "generate_qa", "generate_forget_probes"}
    assert generation | {"validate_data"} <= plan()


def test_snapshot_copies_tables_figures_and_provenance(built, tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    from unlearnflow.plan import FIGURES, TABLES

    command = [str(Path(sys.executable).parent / "unlearnflow"), "snapshot", "tiny"]
    missing = subprocess.run(
        [*command, "--run", str(tmp_path), "--into", str(tmp_path / "runs")],
        capture_output=True,
        text=True,
    )
    assert missing.returncode != 0
    assert f"{tmp_path}/results/provenance.json does not exist" in missing.stderr
    assert not (tmp_path / "runs").exists()

    def take(*extra):
        return subprocess.run(
            [*command, "--run", str(built), "--into", str(tmp_path / "runs"), *extra],
            capture_output=True,
            text=True,
        )

    assert take().returncode == 0
    snapshot = tmp_path / "runs" / "tiny"
    for name in TABLES:
        assert (snapshot / "tables" / f"{name}.md").read_text().startswith("|")
    for name in FIGURES:
        assert (snapshot / "figures" / f"{name}.png").read_bytes()[:4] == b"\x89PNG"
    run = json.loads((snapshot / "run.json").read_text())
    assert run["precision"] == "float32" and run["config"]["seeds"] == [0, 1]
    assert len(run["config_sha256"]) == 64 and run["cpu"] and run["packages"]["torch"]
    assert run["job_seconds"]["evaluate"]["jobs"] == 9
    first = run["invocations"][0]
    assert first["seconds"] > 0 and first["jobs"] > 0
    assert first["command"].startswith("snakemake --snakefile")  # as tests/workflow.py runs it
    assert run["commit"]
    again = take()  # an existing snapshot is kept unless replaced
    assert again.returncode != 0 and "exists" in again.stderr
    assert take("--replace").returncode == 0


def test_nothing_trains_on_data_that_fails_the_red_team(built, tmp_path):
    import shutil

    project = tmp_path / "project"
    shutil.copytree(built, project, symlinks=True)
    retain = project / "data" / "sr.jsonl"
    rows = [json.loads(line) for line in retain.read_text().splitlines()]
    rows[0]["correlated"] = not rows[0]["correlated"]
    retain.write_text("".join(json.dumps(row) + "\n" for row in rows))
    result = snakemake(project)
    assert result.returncode != 0
    assert "flags_follow_the_config" in (project / "logs" / "validate_data.log").read_text()
    ran = result.stdout + result.stderr
    assert "rule validate_data:" in ran
    for rule in ("finetune", "retain_only", "unlearn", "evaluate", "reference_states"):
        assert f"rule {rule}:" not in ran, rule


def test_a_killed_run_leaves_no_job_running_and_no_partial_model(tmp_path, tiny_model):
    """SIGKILL Snakemake while a model job runs: within 10 s no job of it is left, and
    every model folder that exists is complete."""
    import signal
    import subprocess
    import time

    from workflow import ROOT, SNAKEMAKE

    write_config(tmp_path, tiny_config(base=str(tiny_model)))
    command = [str(SNAKEMAKE), "--snakefile", str(ROOT / "Snakefile"), "--cores", "1"]
    run = subprocess.Popen(
        command, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    scripts = tmp_path / ".snakemake" / "scripts"
    deadline = time.monotonic() + 300
    while not list(scripts.glob("*finetune.py")) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert list(scripts.glob("*finetune.py")), "no fine-tuning job started"
    run.send_signal(signal.SIGKILL)
    run.wait()

    def jobs_left():
        left = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    cmdline = (entry / "cmdline").read_bytes()
                except OSError:
                    continue  # ended meanwhile
                if str(tmp_path).encode() in cmdline:
                    left.append(cmdline.replace(b"\0", b" ").decode())
        return left

    deadline = time.monotonic() + 10
    while jobs_left() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert jobs_left() == []
    for config in (tmp_path / "results" / "models").rglob("*config.json"):
        weights = list(config.parent.glob("*.safetensors"))
        assert weights, f"{config.parent} looks complete but holds no weights"
    assert not list((tmp_path / "results").rglob(".*.partial-*"))


def test_a_deleted_benchmark_file_is_named_not_ignored(tmp_path):
    write_config(tmp_path, tiny_config(base="unused"))
    assert snakemake(tmp_path, "data/validation_report.json").returncode == 0
    (tmp_path / "data" / "sf.jsonl").unlink()
    result = snakemake(tmp_path, "-n", "data/validation_report.json")
    assert result.returncode != 0
    assert "data/sf.jsonl missing, but data/validation_report.json certifies" in (
        result.stdout + result.stderr
    )
    (tmp_path / "data" / "validation_report.json").unlink()
    planned = planned_jobs(snakemake(tmp_path, "-n", "data/validation_report.json"))
    assert planned == {"generate_qa", "generate_forget_probes", "validate_data"}


def test_the_harness_adds_columns_and_reruns_nothing_else(built, tmp_path):
    """evaluation.lm_eval's tasks (one of our own, offline) plan the harness on every
    model and the aggregation, no evaluation; the sweep table gains its columns."""
    import os
    import shutil

    from harness_task import TASK, task_folder

    # a copy at the depth of `built`: the workflow's own data stay at the same relative path
    project = tmp_path.parent / f"{tmp_path.name}-project"
    shutil.copytree(built, project, symlinks=True)
    config = yaml.safe_load((project / "config.yaml").read_text())
    config["seeds"] = [0]  # the harness on one replicate's models keeps it short
    config["evaluation"]["lm_eval"] = {
        "tasks": [TASK],
        "include_path": str(task_folder(tmp_path / "tasks")),
    }
    write_config(project, config)
    offline = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"}
    target = "results/sweep_results.json"
    assert planned_jobs(snakemake(project, "-n", target, env=offline)) == {
        "lm_eval",
        "sweep_results",
    }
    result = snakemake(project, target, env=offline)
    assert result.returncode == 0, result.stderr[-3000:]
    rows = json.loads((project / target).read_text())
    for row in rows:
        low, high = row[f"lm_eval_{TASK}_acc_ci_low"], row[f"lm_eval_{TASK}_acc_ci_high"]
        assert low <= row[f"lm_eval_{TASK}_acc"] <= high
    tables = snakemake(project, "results/tables/sweep.md", env=offline)
    assert tables.returncode == 0, tables.stderr[-3000:]
    assert f"{TASK} acc" in (project / "results" / "tables" / "sweep.md").read_text()


def test_published_models_replace_training(tmp_path, tiny_model):
    """model.finetuned and model.gold: published folders stand in for the trained models
    (here the base model itself: every evaluation of the three must then agree)."""
    config = tiny_config(base=str(tiny_model))
    config["seeds"] = [0]
    config["model"].update(finetuned=str(tiny_model), gold=str(tiny_model))
    config["unlearn"] = {"ga": {"lr": [1.0e-4], "epochs": [1]}}
    write_config(tmp_path, config)
    target = "results/sweep_results.json"
    planned = planned_counts(snakemake(tmp_path, "-n", target))
    assert planned["published_model"] == 2
    assert "finetune" not in planned and "retain_only" not in planned
    result = snakemake(tmp_path, target)
    assert result.returncode == 0, result.stderr[-3000:]
    rows = {row["model"]: row for row in json.loads((tmp_path / target).read_text())}
    for model in ("seed~0/finetuned", "seed~0/retain_only"):
        for metric in ("forget_rouge_l", "forget_prob", "retain_truth_ratio", "model_utility"):
            assert rows[model][metric] == pytest.approx(rows["base"][metric], abs=1e-6)
    assert rows["seed~0/finetuned"]["forget_quality"] == pytest.approx(1.0)
