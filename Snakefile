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
include: "rules/classification.smk"
include: "rules/retrieval.smk"
include: "rules/report.smk"


# The task's targets (`task`): for generation the validated benchmark, the sweep (and
# its evaluations as TOFU eval logs), quantization, representation, relearning, probe
# and epoch results, their tables and figures; for classification its results, table
# and figures. Then the run's provenance.
rule all:
    default_target: True
    input:
        task_targets(),
        rules.provenance.output,
