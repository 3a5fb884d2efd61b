"""Rule representation_drift: drift and logit lens of one model -> results/repr/{model}.json,
and with probes.layers its answer states -> results/repr/answers/{model}.safetensors."""

from unlearnflow.job import model_job
from unlearnflow.represent import representation_drift

with model_job(snakemake):
    representation_drift(
        base=snakemake.input.base,
        stages=list(snakemake.input.stages),
        references=snakemake.params.references,
        forget=snakemake.input.forget,
        retain=snakemake.input.retain,
        settings=snakemake.params.settings,
        system_prompt=snakemake.params.system_prompt,
        output=snakemake.output.drift,
        precision=snakemake.params.precision,
        probes=snakemake.params.probe_layers
        and {
            "layers": snakemake.params.probe_layers,
            "wrong_details": snakemake.input.wrong_details,
            "output": snakemake.output.answer_states,
        },
    )
