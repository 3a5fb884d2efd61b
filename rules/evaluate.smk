# Evaluation of every model, and the sweep table.


rule evaluate:
    input:
        unpack(evaluate_inputs),
    output:
        evaluation=evaluation_path("{model}"),
    log:
        "logs/evaluate/{model}.log",
    benchmark:
        "benchmarks/evaluate/{model}.tsv"
    wildcard_constraints:
        model=MODEL_ID_PATTERN,
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
        settings=config["evaluation"],
        system_prompt=config["model"]["system_prompt"],
        seed=config["seed"],
        code=code_fingerprint(*EVALUATION_CODE),
    script:
        "../scripts/evaluate.py"


rule sweep_results:
    input:
        aggregation_inputs(sweep_params()),
    output:
        table="results/sweep_results.json",
        csv="results/sweep_results.csv",
    log:
        "logs/sweep_results.log",
    localrule: True
    conda:
        "../envs/unlearnflow.yaml"
    params:
        **sweep_params(),
        bootstrap=BOOTSTRAP,
        code=code_fingerprint("aggregate.py", "plan.py", "metrics"),
    script:
        "../scripts/sweep_results.py"
