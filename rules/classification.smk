# The classification track: the embedding model as a plain folder, the labelled texts,
# the original and gold classifiers, class unlearning per method and grid point, their
# evaluations, the results, table and figures.


rule prepare_embedder:
    output:
        model=directory(EMBEDDER),
    log:
        "logs/prepare_embedder.log",
    benchmark:
        "benchmarks/prepare_embedder.tsv"
    conda:
        "../envs/unlearnflow.yaml"
    threads: 1
    resources:
        mem_mb=model_job_memory_mb,
        runtime=MODEL_JOB_RUNTIME_MIN,
    params:
        model=config["embedding"]["model"],
        code=script_code("prepare_embedder.py"),
    script:
        "../scripts/prepare_embedder.py"


rule classification_data:
    input:
        unpack(classification_data_inputs),
    output:
        **classification_plan.DATA,
        classes=classification_plan.CLASSES,
    log:
        "logs/classification_data.log",
    localrule: True
    conda:
        "../envs/unlearnflow.yaml"
    params:
        source=CLASSIFICATION["source"],
        text_column=CLASSIFICATION["text_column"],
        label_column=CLASSIFICATION["label_column"],
        forget_class=CLASSIFICATION["forget_class"],
        validation_share=CLASSIFICATION["validation_share"],
        seed=config["seed"],
        code=script_code("classification_data.py"),
    script:
        "../scripts/classification_data.py"


rule train_classifier:
    input:
        **classification_plan.DATA,
        classes=classification_plan.CLASSES,
        embedder=EMBEDDER,
    output:
        model=directory(classification_plan.model_dir("{kind}")),
        curve=classification_plan.curve_path("{kind}"),
    log:
        job_log("train_classifier", "{kind}"),
    benchmark:
        job_benchmark("train_classifier", "{kind}")
    wildcard_constraints:
        kind=f"{classification_plan.ORIGINAL}|{classification_plan.GOLD}",
    retries: 1
    conda:
        "../envs/unlearnflow.yaml"
    threads: 1
    resources:
        **MODEL_JOB_RESOURCES,
    params:
        settings=classifier_settings(),
        seed=config["seed"],
        precision=MODEL_PRECISION,
        code=script_code("train_classifier.py"),
    script:
        "../scripts/train_classifier.py"


rule unlearn_classifier:
    input:
        **classification_plan.DATA,
        classes=classification_plan.CLASSES,
        original=classification_plan.model_dir(classification_plan.ORIGINAL),
    output:
        model=directory(classification_plan.model_dir("unlearn/{method}/{hparams}")),
        curve=classification_plan.curve_path("unlearn/{method}/{hparams}"),
    log:
        job_log("unlearn_classifier", "{method}/{hparams}"),
    benchmark:
        job_benchmark("unlearn_classifier", "{method}/{hparams}")
    wildcard_constraints:
        method="|".join(CLASSIFICATION_METHODS),
        hparams="[^/]+",
    retries: 1
    conda:
        "../envs/unlearnflow.yaml"
    threads: 1
    resources:
        **MODEL_JOB_RESOURCES,
    params:
        hparams=classifier_hparams,
        settings=unlearning_classifier_settings(),
        seed=config["seed"],
        precision=MODEL_PRECISION,
        code=script_code("unlearn_classifier.py"),
    script:
        "../scripts/unlearn_classifier.py"


rule evaluate_classifier:
    input:
        model=classification_plan.model_dir("{model}"),
        test=classification_plan.DATA["test"],
    output:
        evaluation=classification_plan.evaluation_path("{model}"),
    log:
        job_log("evaluate_classifier", "{model}"),
    wildcard_constraints:
        model=classification_plan.MODEL_ID_PATTERN,
    conda:
        "../envs/unlearnflow.yaml"
    threads: 1
    resources:
        **MODEL_JOB_RESOURCES,
    params:
        batch_size=config["evaluation"]["batch_size"],
        precision=MODEL_PRECISION,
        code=script_code("evaluate_classifier.py"),
    script:
        "../scripts/evaluate_classifier.py"


rule classification_results:
    input:
        evaluations=classification_evaluations().values(),
        classes=classification_plan.CLASSES,
    output:
        results=classification_plan.RESULTS,
        csv=classification_plan.RESULTS_CSV,
        table=[table_path(classification_plan.TABLE, fmt) for fmt in TABLE_FORMATS],
    log:
        "logs/classification_results.log",
    localrule: True
    conda:
        "../envs/unlearnflow.yaml"
    params:
        evaluations=classification_evaluations(),
        gate=CLASSIFICATION["unlearning"]["retain_gate"],
        bootstrap={**config["intervals"], "seed": config["seed"]},
        code=script_code("classification_results.py"),
    script:
        "../scripts/classification_results.py"


rule classification_figures:
    input:
        **classification_plan.DATA,
        embedder=EMBEDDER,
        results=classification_plan.RESULTS,
        curves=classification_curves().values(),
        evaluations=classification_evaluations().values(),
    output:
        **{
            name: report(
                classification_plan.figure_path(name),
                caption=f"../report/classification_{name}.rst",
                category="Classification",
            )
            for name in classification_plan.FIGURES
        },
    log:
        "logs/classification_figures.log",
    localrule: True
    conda:
        "../envs/unlearnflow.yaml"
    params:
        curves=classification_curves(),
        evaluations=classification_evaluations(),
        code=script_code("classification_figures.py"),
    script:
        "../scripts/classification_figures.py"
