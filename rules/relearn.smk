# Relearning attacks on every trained model (relearning.attacks), and their table.


rule relearn:
    input:
        unpack(relearn_inputs),
        parts=MODEL_PARTS,
    output:
        result=relearn_path("{attack}", "{model}"),
    log:
        job_log("relearn", "{attack}/{model}"),
    benchmark:
        job_benchmark("relearn", "{attack}/{model}")
    wildcard_constraints:
        attack="|".join(ATTACKS),
        model=MODEL_ID_PATTERN,
    retries: 1
    conda:
        "../envs/unlearnflow.yaml"
    threads: 1
    resources:
        **MODEL_JOB_RESOURCES,
    params:
        precision=MODEL_PRECISION,
        settings=relearning_settings(),
        evaluation=relearning_evaluation(),
        training={key: config["training"]["unlearn"][key] for key in ("full", "lora")},
        system_prompt=config["model"]["system_prompt"],
        split_seed=config["seed"],
        seed=model_seed,
        code=script_code("relearn.py"),
    script:
        "../scripts/relearn.py"


rule relearn_results:
    input:
        aggregation_inputs(relearn_params()),
    output:
        table="results/relearn_results.json",
        csv="results/relearn_results.csv",
    log:
        "logs/relearn_results.log",
    localrule: True
    conda:
        "../envs/unlearnflow.yaml"
    params:
        **relearn_params(),
        bootstrap=BOOTSTRAP,
        code=script_code("relearn_results.py"),
    script:
        "../scripts/relearn_results.py"
