# Representation drift and the logit lens of every model, and their table.


rule reference_states:
    input:
        unpack(reference_inputs),
        forget="data/sf.jsonl",
        retain="data/sr.jsonl",
    output:
        states=reference_states_path("{reference}"),
    log:
        "logs/reference_states/{reference}.log",
    benchmark:
        "benchmarks/reference_states/{reference}.tsv"
    wildcard_constraints:
        reference=rf"seed~\d+/({REFERENCE_IDS})",
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
        settings=config["representation"],
        system_prompt=config["model"]["system_prompt"],
        code=code_fingerprint(*TRAINING_CODE, "represent.py"),
    script:
        "../scripts/reference_states.py"


rule representation_drift:
    input:
        unpack(representation_inputs),
        forget="data/sf.jsonl",
        retain="data/sr.jsonl",
    output:
        drift=drift_path("{model}"),
    log:
        "logs/representation_drift/{model}.log",
    benchmark:
        "benchmarks/representation_drift/{model}.tsv"
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
        references=representation_references,
        settings=config["representation"],
        system_prompt=config["model"]["system_prompt"],
        code=code_fingerprint(*TRAINING_CODE, "represent.py"),
    script:
        "../scripts/representation_drift.py"


rule repr_results:
    input:
        aggregation_inputs(repr_params()),
    output:
        table="results/repr_results.json",
    log:
        "logs/repr_results.log",
    localrule: True
    conda:
        "../envs/unlearnflow.yaml"
    params:
        **repr_params(),
        bootstrap=BOOTSTRAP,
        code=code_fingerprint("repr_results.py", "plan.py"),
    script:
        "../scripts/repr_results.py"
