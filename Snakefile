# unlearnflow: machine-unlearning experiments on language models, end to end.
# A table of contents: the stages live in rules/, their Python in rules/common.smk.
from snakemake.utils import min_version

min_version("9.0")


include: "rules/config_syntax.smk"


configfile: "config.yaml"


report: "report/workflow.rst"


include: "rules/common.smk"


if SYNTHETIC_BENCHMARK:

    include: "rules/data.smk"

else:

    include: "rules/import.smk"


include: "rules/models.smk"
include: "rules/unlearn.smk"
include: "rules/epochs.smk"
include: "rules/evaluate.smk"
include: "rules/quantize.smk"
include: "rules/represent.smk"
include: "rules/relearn.smk"
include: "rules/report.smk"


# The furthest targets built so far: the validated benchmark, the sweep (and its
# evaluations as TOFU eval logs), quantization and representation results, their summary
# tables and figures.
rule all:
    default_target: True
    input:
        "data/validation_report.json",
        "results/sweep_results.json",
        tofu_log_targets(),
        "results/quantize_results.json",
        "results/repr_results.json",
        relearn_targets(),
        probe_targets(),
        epoch_targets(),
        rules.tables.output,
        rules.figures.output,
        rules.provenance.output,
