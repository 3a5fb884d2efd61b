# The retrieval track: the BEIR-layout data, the fine-tuned and gold embedders, document
# unlearning per method and grid point, every model's evaluation in float and under
# each quantization scheme, the results, tables and figures.


rule retrieval_data:
    input:
        unpack(retrieval_data_inputs),
    output:
        **retrieval_plan.DATA,
    log:
        "logs/retrieval_data.log",
    localrule: True
    conda:
        "../envs/unlearnflow.yaml"
    params:
        source=RETRIEVAL["source"],
        forget_share=RETRIEVAL["forget_share"],
        seed=config["seed"],
        code=script_code("retrieval_data.py"),
    script:
        "../scripts/retrieval_data.py"


rule finetune_embedder:
    input:
        **retrieval_plan.DATA,
        embedder=retrieval_plan.model_dir(retrieval_plan.BASE),
    output:
        model=directory(retrieval_plan.model_dir("{kind}")),
    log:
        job_log("finetune_embedder", "{kind}"),
    benchmark:
        job_benchmark("finetune_embedder", "{kind}")
    wildcard_constraints:
        kind=f"{retrieval_plan.FINETUNED}|{retrieval_plan.GOLD}",
    retries: 1
    conda:
        "../envs/unlearnflow.yaml"
    threads: 1
    resources:
        **MODEL_JOB_RESOURCES,
    params:
        settings=retrieval_training_settings(),
        seed=config["seed"],
        precision=MODEL_PRECISION,
        code=script_code("finetune_embedder.py"),
    script:
        "../scripts/finetune_embedder.py"


rule unlearn_embedder:
    input:
        **retrieval_plan.DATA,
        finetuned=retrieval_plan.model_dir(retrieval_plan.FINETUNED),
    output:
        model=directory(retrieval_plan.model_dir("unlearn/{method}/{hparams}")),
    log:
        job_log("unlearn_embedder", "{method}/{hparams}"),
    benchmark:
        job_benchmark("unlearn_embedder", "{method}/{hparams}")
    wildcard_constraints:
        method="|".join(RETRIEVAL_METHODS),
        hparams="[^/]+",
    retries: 1
    conda:
        "../envs/unlearnflow.yaml"
    threads: 1
    resources:
        **MODEL_JOB_RESOURCES,
    params:
        hparams=retriever_hparams,
        settings=retrieval_unlearning_settings(),
        seed=config["seed"],
        precision=MODEL_PRECISION,
        code=script_code("unlearn_embedder.py"),
    script:
        "../scripts/unlearn_embedder.py"


rule evaluate_embedder:
    input:
        **retrieval_plan.DATA,
        model=evaluated_embedder,
    output:
        evaluation=retrieval_plan.evaluation_path("{model}", "{scheme}"),
    log:
        job_log("evaluate_embedder", "{scheme}/{model}"),
    wildcard_constraints:
        model=retrieval_plan.MODEL_ID_PATTERN,
        scheme="|".join(RETRIEVAL_SCHEMES),
    conda:
        "../envs/unlearnflow.yaml"
    threads: 1
    resources:
        **MODEL_JOB_RESOURCES,
    params:
        settings=embedder_settings(),
        scheme=evaluation_scheme,
        group_size=QUANTIZATION["group_size"],
        precision=MODEL_PRECISION,
        code=script_code("evaluate_embedder.py"),
    script:
        "../scripts/evaluate_embedder.py"


rule retrieval_results:
    input:
        evaluations=mapped_paths(retrieval_evaluations()),
    output:
        results=retrieval_plan.RESULTS,
        csv=retrieval_plan.RESULTS_CSV,
        tables=[
            table_path(name, fmt)
            for name in retrieval_plan.TABLES
            for fmt in TABLE_FORMATS
        ],
    log:
        "logs/retrieval_results.log",
    localrule: True
    conda:
        "../envs/unlearnflow.yaml"
    params:
        evaluations=retrieval_evaluations(),
        targets={
            key: RETRIEVAL["unlearning"][key]
            for key in ("forget_within", "retain_within")
        },
        bootstrap={**config["intervals"], "seed": config["seed"]},
        code=script_code("retrieval_results.py"),
    script:
        "../scripts/retrieval_results.py"


rule retrieval_figures:
    input:
        results=retrieval_plan.RESULTS,
    output:
        **{
            name: report(
                retrieval_plan.figure_path(name),
                caption=f"../report/retrieval_{name}.rst",
                category="Retrieval",
            )
            for name in retrieval_plan.FIGURES
        },
    log:
        "logs/retrieval_figures.log",
    localrule: True
    conda:
        "../envs/unlearnflow.yaml"
    params:
        code=script_code("retrieval_figures.py"),
    script:
        "../scripts/retrieval_figures.py"
