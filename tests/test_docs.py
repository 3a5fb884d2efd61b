"""The documentation: a README a newcomer reads quickly that quotes a committed run
snapshot, and every config key documented once, in docs/configuration.md."""

import re
from pathlib import Path

import pytest
import yaml

from unlearnflow.snapshot import summary

ROOT = Path(__file__).resolve().parents[1]
SNAPSHOT = ROOT / "docs" / "runs" / "default"


def test_readme_is_short():
    assert len((ROOT / "README.md").read_text().splitlines()) <= 250


@pytest.mark.skipif(not SNAPSHOT.exists(), reason="no default snapshot committed")
def test_readme_quotes_the_committed_snapshot():
    readme = (ROOT / "README.md").read_text()
    block = readme.split("<!-- summary of docs/runs/default -->\n", 1)[1]
    block = block.split("<!-- end of summary -->", 1)[0]
    assert block == summary(SNAPSHOT)


def schema_keys(node: dict, prefix: str = "") -> set[str]:
    """Every key the schema names; sections (objects of named keys) end in a dot."""
    keys = set()
    for name, child in node.get("properties", {}).items():
        key = f"{prefix}{name}"
        keys.add(f"{key}." if "properties" in child else key)
        keys |= schema_keys(child, f"{key}.")
    return keys


def documented_keys() -> set[str]:
    """The keys of the first column of docs/configuration.md's table; `.x` after a key
    is its sibling `x`."""
    keys = set()
    for line in (ROOT / "docs" / "configuration.md").read_text().splitlines():
        if not line.startswith("| `"):
            continue
        first = line.split("|")[1]
        names = re.findall(r"`([^`]+)`", first)
        parent = names[0].rsplit(".", 1)[0] if "." in names[0] else ""
        keys |= {f"{parent}{name}" if name.startswith(".") else name for name in names}
    return {key.replace(".{method}", "") for key in keys}  # the sweep: any method


def test_every_config_key_is_documented_and_every_documented_key_exists():
    schema = schema_keys(yaml.safe_load((ROOT / "schemas" / "config.schema.yaml").read_text()))
    documented = documented_keys()

    def covered(key):
        parts = key.split(".")
        return any(".".join(parts[:n]) in documented for n in range(1, len(parts) + 1))

    def known(key):
        return key in schema or f"{key}." in schema

    leaves = [key for key in schema if not key.endswith(".")]
    missing = sorted(key for key in leaves if not covered(key))
    unknown = sorted(key for key in documented if not known(key))
    assert not missing, f"config keys not in docs/configuration.md: {missing}"
    assert not unknown, f"documented but not in the schema: {unknown}"


@pytest.mark.skipif(not SNAPSHOT.exists(), reason="no default snapshot committed")
def test_the_snapshots_fine_tuned_model_prefers_the_true_paraphrase_where_it_knows():
    """The truth ratio measures knowledge: on the retain items the fine-tuned model
    answers, it prefers the paraphrased true answer to the wrong ones (TR > 1) on at
    least 90 % of them, in both retain subsets."""
    import json

    from unlearnflow.plan import FINETUNED

    rows = json.loads((SNAPSHOT / "sweep_results.json").read_text())
    finetuned = [row for row in rows if row["point"] == FINETUNED]
    assert finetuned
    for row in finetuned:
        for split in ("retain_correlated", "retain_other"):
            assert row[f"{split}_truth_preferred"] >= 0.9, (row["model"], split)
