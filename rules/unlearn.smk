# The unlearning sweep: one job per replicate seed, method and grid point; with
# training.unlearn.save_every_epoch, its models after each epoch before the last too.


rule unlearn:
    input:
        unpack(unlearn_inputs),
        parts=MODEL_PARTS,
    output:
        **epoch_outputs(),
        model=directory(model_dir(UNLEARN_PATTERN)),
        train_log=train_log_path(UNLEARN_PATTERN),
    log:
        job_log("unlearn", UNLEARN_PATTERN),
    benchmark:
        job_benchmark("unlearn", UNLEARN_PATTERN)
    wildcard_constraints:
        seed=r"\d+",
        method="|".join(METHODS),
        hparams="[^/@]+",
    retries: 1
    conda:
        "../envs/unlearnflow.yaml"
    threads: 1
    resources:
        **MODEL_JOB_RESOURCES,
    params:
        precision=MODEL_PRECISION,
        hparams=unlearn_hparams,
        training=training_settings("unlearn"),
        system_prompt=config["model"]["system_prompt"],
        seed=replicate_seed,
        code=unlearn_code,
    script:
        "../scripts/unlearn.py"
