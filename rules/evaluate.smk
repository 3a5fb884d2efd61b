# Evaluation of every model, and the sweep table.


rule evaluate:
    input:
        unpack(evaluate_inputs),
    output:
        evaluation=evaluation_path("{model}"),
    log:
        job_log("evaluate", "{model}"),
    benchmark:
        job_benchmark("evaluate", "{model}")
    wildcard_constraints:
        model=MODEL_ID_PATTERN,
    retries: 1
    conda:
        "../envs/unlearnflow.yaml"
    threads: 1
    resources:
        **MODEL_JOB_RESOURCES,
    params:
        precision=MODEL_PRECISION,
        settings=evaluation_settings(),
        system_prompt=config["model"]["system_prompt"],
        seed=config["seed"],
        code=script_code(EVALUATOR),
    script:
        f"../scripts/{EVALUATOR}"


# General utility through lm-evaluation-harness (evaluation.lm_eval), per model.
rule lm_eval:
    input:
        base=model_dir(BASE),
        stages=model_stages,
        tasks=harness_task_files(),
    output:
        results=harness_path("{model}"),
    log:
        job_log("lm_eval", "{model}"),
    benchmark:
        job_benchmark("lm_eval", "{model}")
    wildcard_constraints:
        model=MODEL_ID_PATTERN,
    retries: 1
    conda:
        "../envs/unlearnflow.yaml"
    threads: 1
    resources:
        **MODEL_JOB_RESOURCES,
    params:
        precision=MODEL_PRECISION,
        settings=config["evaluation"]["lm_eval"],
        batch_size=config["evaluation"]["batch_size"],
        seed=config["seed"],
        code=script_code("lm_eval.py"),
    script:
        "../scripts/lm_eval.py"


# The evaluation in the files TOFU's own aggregate_eval_stat.py (and `unlearnflow
# tofu-summary`) reads: results beside published TOFU ones, by the same code.
rule tofu_eval_logs:
    input:
        evaluation=evaluation_path("{model}"),
    output:
        **tofu_log_paths("{model}"),
    log:
        job_log("tofu_eval_logs", "{model}"),
    wildcard_constraints:
        model=MODEL_ID_PATTERN,
    localrule: True
    conda:
        "../envs/unlearnflow.yaml"
    params:
        code=script_code("tofu_eval_logs.py"),
    script:
        "../scripts/tofu_eval_logs.py"


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
        code=script_code("sweep_results.py"),
    script:
        "../scripts/sweep_results.py"
