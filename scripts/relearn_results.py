"""Rule relearn_results: every relearning attack -> results/relearn_results.json, .csv."""

from unlearnflow.job import script_job
from unlearnflow.relearn_results import relearn_results

with script_job(snakemake):
    relearn_results(
        attacked=snakemake.params.attacked,
        starts=snakemake.params.starts,
        bootstrap=snakemake.params.bootstrap,
        output_json=snakemake.output.table,
        output_csv=snakemake.output.csv,
    )
