"""The plan: hyperparameter ids round-trip every value the schema allows, model ids
parse back, and each model's stages and paths follow from its id."""

from pathlib import Path

import pytest
import yaml

from unlearnflow.plan import (
    BASE,
    FINETUNED,
    GOLD,
    SCHEMES,
    Model,
    Plan,
    evaluation_path,
    hparams_id,
    parse_hparams_id,
    stages,
)

GRIDS = [
    {"lr": 0.002, "epochs": 3},
    {"lr": 1e-05, "epochs": 1, "beta": 0.1},
    {"retain_weight": -1.5, "use_kl": True, "other": False},
    {"loss_type": "a_b", "name": "x~y/z", "text": '50% of "it" _ @epoch~1', "unicode": "für"},
    {"number_like": "3", "bool_like": "true", "empty": "", "quoted": '"x"', "null": "null"},
]


@pytest.mark.parametrize("hparams", GRIDS)
def test_hparams_ids_round_trip(hparams):
    text = hparams_id(hparams)
    assert "/" not in text and " " not in text and '"' not in text and "@" not in text
    decoded = parse_hparams_id(text)
    assert decoded == hparams
    assert [type(v) for v in decoded.values()] == [type(v) for v in hparams.values()]


def test_hparams_ids_read_as_before_for_numbers():
    assert hparams_id({"lr": 2.0e-3, "epochs": 3, "beta": 0.1}) == "lr~0.002_epochs~3_beta~0.1"


@pytest.mark.parametrize(
    "model",
    [
        Model(BASE),
        Model(FINETUNED, 0),
        Model(GOLD, 2),
        Model("unlearn", 1, "npo", "lr~0.002"),
        Model("unlearn", 1, "npo", "lr~0.002_epochs~3", epoch=2),
    ],
)
def test_model_ids_parse_back(model):
    assert Model.parse(model.id) == model


def test_ids_points_labels_stages_and_paths():
    npo = Model("unlearn", 1, "npo", hparams_id({"lr": 0.004, "epochs": 3, "beta": 0.1}))
    assert npo.id == "seed~1/unlearn/npo/lr~0.004_epochs~3_beta~0.1"
    assert npo.point == "unlearn/npo/lr~0.004_epochs~3_beta~0.1"
    assert npo.label == "npo lr=0.004 epochs=3 beta=0.1"
    assert stages(npo) == ["results/models/seed~1/finetuned", f"results/models/{npo.id}"]
    assert stages(Model(BASE)) == []
    assert evaluation_path(Model(GOLD, 0).id) == "results/eval/seed~0/retain_only.json"
    assert Model(GOLD, 0).label == "gold" and Model(BASE).label == "base"


@pytest.mark.parametrize("bad", ["finetuned", "seed~x/finetuned", "seed~0/unlearn/ga", "seed~0/x"])
def test_malformed_model_ids_are_named(bad):
    with pytest.raises(ValueError, match="not a model id"):
        Model.parse(bad)


def test_epoch_models_are_models_of_their_own():
    plan = Plan([0], {"ga": {"lr": [1e-3], "epochs": [1, 3]}})
    assert [model.id for model in plan.epoch_models()] == [
        "seed~0/unlearn/ga/lr~0.001_epochs~3@epoch~1",
        "seed~0/unlearn/ga/lr~0.001_epochs~3@epoch~2",
    ]  # a one-epoch run has no epoch before its last
    second = plan.epoch_models()[1]
    assert second.epochs() == 2 and second.final().epochs() == 3
    assert second.label == "ga lr=0.001 epochs=3 after epoch 2"
    assert stages(second)[-1] == "results/models/seed~0/unlearn/ga/lr~0.001_epochs~3@epoch~2"


def test_plan_replicates_every_trained_model_per_seed():
    plan = Plan([0, 1], {"ga": {"lr": [1e-3, 2e-3], "epochs": [3]}})
    ids = [model.id for model in plan.evaluated()]
    assert ids[0] == "base"
    assert ids[1:5] == ["seed~0/finetuned", "seed~0/retain_only", "seed~1/finetuned",
                        "seed~1/retain_only"]  # fmt: skip
    assert "seed~1/unlearn/ga/lr~0.002_epochs~3" in ids and len(ids) == 1 + 2 * (2 + 2)
    assert plan.gold_of(Model.parse("seed~1/unlearn/ga/lr~0.002_epochs~3")) == Model(GOLD, 1)
    assert plan.gold_of(Model(BASE)) == Model(GOLD, 0)


def test_labels_keep_underscores_inside_hyperparameter_names_and_strings_bare():
    hparams = {"lr": 0.004, "epochs": 3, "base": "gd", "keep_fraction": 0.5}
    assert hparams_id(hparams) == "lr~0.004_epochs~3_base~gd_keep_fraction~0.5"
    sure = Model("unlearn", 0, "sure", hparams_id(hparams))
    assert sure.label == "sure lr=0.004 epochs=3 base=gd keep_fraction=0.5"


def test_the_schema_allows_exactly_the_plans_schemes():
    schema = yaml.safe_load(
        (Path(__file__).parents[1] / "schemas" / "config.schema.yaml").read_text()
    )
    schemes = schema["properties"]["quantization"]["properties"]["schemes"]["items"]["enum"]
    assert schemes == list(SCHEMES)


def test_building_the_dag_imports_no_torch():
    """Every package module rules/common.smk imports loads without torch (or
    transformers): the DAG builds in seconds, and on a login node without them."""
    import re
    import subprocess
    import sys
    from pathlib import Path

    common = (Path(__file__).resolve().parents[1] / "rules" / "common.smk").read_text()
    modules = sorted(set(re.findall(r"^from (unlearnflow[\w.]*) import", common, re.M)))
    assert "unlearnflow.retrieval.methods" in modules
    code = "; ".join(
        [
            "import sys",
            *(f"import {module}" for module in modules),
            "heavy = {'torch', 'transformers'} & set(sys.modules)",
            "assert not heavy, heavy",
        ]
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
