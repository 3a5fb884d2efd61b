"""Rule probe_results: linear probes on every model's answer states ->
results/probe_results.json."""

from unlearnflow.job import script_job
from unlearnflow.probe_results import probe_results

with script_job(snakemake):
    probe_results(
        states=snakemake.params.answer_states,
        starts=snakemake.params.starts,
        settings=snakemake.params.settings,
        seed=snakemake.params.seed,
        bootstrap=snakemake.params.bootstrap,
        output_json=snakemake.output.table,
    )
