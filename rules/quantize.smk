# Quantization stress test: every model re-evaluated under every scheme, and the table.


rule quantize_evaluate:
    input:
        unpack(evaluate_inputs),
    output:
        evaluation=quantized_path("{scheme}", "{model}"),
    log:
        job_log("quantize_evaluate", "{scheme}/{model}"),
    benchmark:
        job_benchmark("quantize_evaluate", "{scheme}/{model}")
    wildcard_constraints:
        scheme="|".join(QUANTIZATION["schemes"]),
        model=MODEL_ID_PATTERN,
    retries: 1
    conda:
        "../envs/unlearnflow.yaml"
    threads: 1
    resources:
        **MODEL_JOB_RESOURCES,
    params:
        precision=MODEL_PRECISION,
        quantization=quantization_params,
        settings=evaluation_settings(),
        system_prompt=config["model"]["system_prompt"],
        seed=config["seed"],
        code=script_code(EVALUATOR),
    script:
        f"../scripts/{EVALUATOR}"


rule quantize_results:
    input:
        aggregation_inputs(quantize_params()),
    output:
        table="results/quantize_results.json",
        csv="results/quantize_results.csv",
    log:
        "logs/quantize_results.log",
    localrule: True
    conda:
        "../envs/unlearnflow.yaml"
    params:
        **quantize_params(),
        bootstrap=BOOTSTRAP,
        code=script_code("quantize_results.py"),
    script:
        "../scripts/quantize_results.py"
