# Quantization stress test: every model re-evaluated under every scheme, and the table.


rule quantize_evaluate:
    input:
        unpack(evaluate_inputs),
    output:
        evaluation=quantized_path("{scheme}", "{model}"),
    log:
        "logs/quantize_evaluate/{scheme}/{model}.log",
    benchmark:
        "benchmarks/quantize_evaluate/{scheme}/{model}.tsv"
    wildcard_constraints:
        scheme="|".join(QUANTIZATION["schemes"]),
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
        quantization=quantization_params,
        settings=config["evaluation"],
        system_prompt=config["model"]["system_prompt"],
        seed=config["seed"],
        code=code_fingerprint(*EVALUATION_CODE, "quantize.py"),
    script:
        "../scripts/evaluate.py"


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
        code=code_fingerprint(
            "quantize_results.py", "aggregate.py", "plan.py", "quantize.py", "metrics"
        ),
    script:
        "../scripts/quantize_results.py"
