# The unlearning sweep: one job per replicate seed, method and grid point.


rule unlearn:
    input:
        unpack(unlearn_inputs),
    output:
        model=directory(model_dir(UNLEARN_PATTERN)),
        train_log=train_log_path(UNLEARN_PATTERN),
    log:
        f"logs/unlearn/{UNLEARN_PATTERN}.log",
    benchmark:
        f"benchmarks/unlearn/{UNLEARN_PATTERN}.tsv"
    wildcard_constraints:
        seed=r"\d+",
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
        seed=replicate_seed,
        code=unlearn_code,
    script:
        "../scripts/unlearn.py"
