# The epoch axis (training.unlearn.save_every_epoch): each unlearning run's models after
# every epoch before its last, and their forgetting and drift by epoch.


# One saved epoch of an unlearning run as a model of its own (its files hard-linked).
rule epoch_model:
    input:
        epochs=epochs_dir(UNLEARN_PATTERN),
    output:
        model=directory(model_dir(EPOCH_PATTERN)),
    log:
        job_log("epoch_model", EPOCH_PATTERN),
    wildcard_constraints:
        seed=r"\d+",
        method="|".join(METHODS),
        hparams="[^/@]+",
        epoch=r"\d+",
    localrule: True
    conda:
        "../envs/unlearnflow.yaml"
    script:
        "../scripts/epoch_model.py"


rule epoch_results:
    input:
        aggregation_inputs(epoch_params()),
    output:
        table="results/epoch_results.json",
    log:
        "logs/epoch_results.log",
    localrule: True
    conda:
        "../envs/unlearnflow.yaml"
    params:
        **epoch_params(),
        bootstrap=BOOTSTRAP,
        code=script_code("epoch_results.py"),
    script:
        "../scripts/epoch_results.py"
