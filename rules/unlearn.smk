# The unlearning sweep: one job per method and grid point.


rule unlearn:
    input:
        unpack(unlearn_inputs),
    output:
        model=directory("results/models/unlearn/{method}/{hparams}"),
        train_log="results/train/unlearn/{method}/{hparams}.json",
    log:
        "logs/unlearn/{method}/{hparams}.log",
    benchmark:
        "benchmarks/unlearn/{method}/{hparams}.tsv"
    wildcard_constraints:
        method="|".join(METHODS),
        hparams="[^/]+",
    retries: 1
    conda:
        "../envs/unlearnflow.yaml"
    threads: 1
    resources:
        gpu=1,
        mem_mb=model_job_memory_mb,
        runtime=MODEL_JOB_RUNTIME_MIN,
    params:
        precision=MODEL_PRECISION,
        hparams=unlearn_hparams,
        training=config["training"]["unlearn"],
        system_prompt=config["model"]["system_prompt"],
        seed=config["seed"],
        code=unlearn_code,
    script:
        "../scripts/unlearn.py"
