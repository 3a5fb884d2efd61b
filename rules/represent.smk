# Representation drift, the logit lens and the probes' answer states of every model, and
# their tables.


rule reference_states:
    input:
        unpack(reference_inputs),
        **DRIFT_QUESTIONS,
        validated=VALIDATED,
        parts=MODEL_PARTS,
    output:
        states=reference_states_path("{reference}"),
    log:
        job_log("reference_states", "{reference}"),
    benchmark:
        job_benchmark("reference_states", "{reference}")
    wildcard_constraints:
        reference=rf"seed~\d+/({REFERENCE_IDS})",
    retries: 1
    conda:
        "../envs/unlearnflow.yaml"
    threads: 1
    resources:
        **MODEL_JOB_RESOURCES,
    params:
        precision=MODEL_PRECISION,
        settings=config["representation"],
        system_prompt=config["model"]["system_prompt"],
        code=script_code("reference_states.py"),
    script:
        "../scripts/reference_states.py"


rule representation_drift:
    input:
        unpack(representation_inputs),
        **DRIFT_QUESTIONS,
        validated=VALIDATED,
        parts=MODEL_PARTS,
    output:
        **answer_state_outputs(),
        drift=drift_path("{model}"),
    log:
        job_log("representation_drift", "{model}"),
    benchmark:
        job_benchmark("representation_drift", "{model}")
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
        references=representation_references,
        settings=config["representation"],
        probe_layers=PROBES["layers"],
        system_prompt=config["model"]["system_prompt"],
        code=script_code("representation_drift.py"),
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
        code=script_code("repr_results.py"),
    script:
        "../scripts/repr_results.py"


rule probe_results:
    input:
        aggregation_inputs(probe_params()),
    output:
        table="results/probe_results.json",
    log:
        "logs/probe_results.log",
    localrule: True
    conda:
        "../envs/unlearnflow.yaml"
    params:
        **probe_params(),
        settings={key: PROBES[key] for key in ("folds", "regularization")},
        seed=config["seed"],
        bootstrap=BOOTSTRAP,
        code=script_code("probe_results.py"),
    script:
        "../scripts/probe_results.py"
