"""The robustness summary: each attack's forget metric per model point, from the
aggregated tables."""

import pytest

from unlearnflow.robustness import probe_layer, robustness
from unlearnflow.tables import robustness_table, shown

POINTS = ("base", "finetuned", "retain_only", "unlearn/ga/lr~0.001_epochs~3")


def row(point: str, key: str, value: float, **columns) -> dict:
    return {
        "point": point,
        key: value,
        f"{key}_ci_low": value - 0.1,
        f"{key}_ci_high": value + 0.1,
        **columns,
    }


def folded(relearning=True, probes=True) -> dict:
    values = dict(zip(POINTS, (0.3, 0.9, 0.2, 0.25), strict=True))
    return {
        "sweep": [row(p, "forget_rouge_l", v) for p, v in values.items()],
        "quantize": [
            row(p, "forget_rouge_l", v + 0.05, scheme=scheme)
            for scheme in ("bnb-int8", "bnb-nf4")
            for p, v in values.items()
            if p != "base"
        ],
        "relearning": [
            row(p, "forget_rouge_l", v + steps / 100, attack="forget_share", steps=steps)
            for p, v in values.items()
            if p != "base"
            for steps in (0, 2, 8)
        ]
        if relearning
        else None,
        "probes": [
            row(p, "probe_accuracy", 0.5 + layer / 10 if p == "finetuned" else 0.6, layer=layer)
            for p in POINTS[1:]
            for layer in (0, 3, 2)
        ]
        if probes
        else None,
    }


def test_every_attack_is_a_column_beside_the_references():
    summary = robustness(folded())
    assert summary.metric == "forget_rouge_l"
    assert [r["point"] for r in summary.rows] == list(POINTS[1:])  # the base model is no attack
    assert summary.columns == {
        "float": "float",
        "bnb-int8": "bnb-int8",
        "bnb-nf4": "bnb-nf4",
        "forget_share_0": "forget_share: before",
        "forget_share_8": "forget_share: 8 steps",
        "probe": "probe accuracy (layer 3)",
    }
    ga = summary.rows[-1]
    assert ga["float"] == 0.25 and ga["bnb-nf4"] == pytest.approx(0.30)
    assert ga["forget_share_8"] == pytest.approx(0.33) and ga["probe"] == 0.6
    assert ga["probe_ci_low"] == pytest.approx(0.5)
    assert probe_layer(folded()["probes"]) == 3  # the fine-tuned model's best


def test_a_run_without_attacks_or_probes_summarises_quantization():
    summary = robustness(folded(relearning=False, probes=False))
    assert list(summary.columns) == ["float", "bnb-int8", "bnb-nf4"]
    text = shown(robustness_table(summary))
    assert text.loc["gold", "bnb-nf4"] == "0.250 [0.150, 0.350]"
