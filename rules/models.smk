# Models: the base model, and per replicate seed the fine-tuned and the gold (retain-only) model.


rule prepare_base_model:
    output:
        model=directory(model_dir(BASE)),
    log:
        "logs/prepare_base_model.log",
    benchmark:
        "benchmarks/prepare_base_model.tsv"
    conda:
        "../envs/unlearnflow.yaml"
    threads: 1
    resources:
        mem_mb=model_job_memory_mb,
        runtime=MODEL_JOB_RUNTIME_MIN,
    params:
        base=config["model"]["base"],
        code=script_code("prepare_base_model.py"),
    script:
        "../scripts/prepare_base_model.py"


# A published fine-tuned or gold model (model.finetuned, model.gold) in place of training
# it, under every replicate seed: a plain Hugging Face folder, like the base model.
if PUBLISHED_MODELS:

    rule published_model:
        output:
            model=directory(model_dir(Model("{kind}", "{seed}").id)),
        log:
            job_log("published_model", Model("{kind}", "{seed}").id),
        wildcard_constraints:
            kind="|".join(PUBLISHED_MODELS),
            seed=r"\d+",
        conda:
            "../envs/unlearnflow.yaml"
        threads: 1
        resources:
            mem_mb=model_job_memory_mb,
            runtime=MODEL_JOB_RUNTIME_MIN,
        params:
            base=published_source,
            code=script_code("prepare_base_model.py"),
        script:
            "../scripts/prepare_base_model.py"

    ruleorder: published_model > finetune
    ruleorder: published_model > retain_only


# The config's LoRA target modules and layer numbers, against the base model itself.
rule check_model_parts:
    input:
        base=model_dir(BASE),
    output:
        parts=MODEL_PARTS,
    log:
        "logs/check_model_parts.log",
    localrule: True
    conda:
        "../envs/unlearnflow.yaml"
    params:
        references=model_part_references(),
        code=script_code("check_model_parts.py"),
    script:
        "../scripts/check_model_parts.py"


# The base model's answers to the general questions the evaluation leaves out, rehearsed
# while fine-tuning (training.finetune.rehearsal).
rule rehearsal_set:
    input:
        base=model_dir(BASE),
        real_authors=TOFU_DATA / "real_authors_perturbed.json",
        world_facts=TOFU_DATA / "world_facts_perturbed.json",
    output:
        rehearsal=REHEARSAL,
    log:
        "logs/rehearsal_set.log",
    benchmark:
        "benchmarks/rehearsal_set.tsv"
    conda:
        "../envs/unlearnflow.yaml"
    threads: 1
    resources:
        mem_mb=model_job_memory_mb,
        runtime=MODEL_JOB_RUNTIME_MIN,
    params:
        precision=MODEL_PRECISION,
        utility_items=config["evaluation"]["utility_items"],
        seed=config["seed"],
        system_prompt=config["model"]["system_prompt"],
        code=script_code("rehearsal_set.py"),
    script:
        "../scripts/rehearsal_set.py"


rule finetune:
    input:
        base=model_dir(BASE),
        data=["data/sf.jsonl", "data/sr.jsonl"],
        rehearsal=rehearsal_data(),
        validated=VALIDATED,
        parts=MODEL_PARTS,
    output:
        model=directory(model_dir(FINETUNED_PATTERN)),
        train_log=train_log_path(FINETUNED_PATTERN),
    log:
        job_log("finetune", FINETUNED_PATTERN),
    benchmark:
        job_benchmark("finetune", FINETUNED_PATTERN)
    wildcard_constraints:
        seed=r"\d+",
    retries: 1
    conda:
        "../envs/unlearnflow.yaml"
    threads: 1
    resources:
        **MODEL_JOB_RESOURCES,
    params:
        precision=MODEL_PRECISION,
        training=training_settings("finetune"),
        system_prompt=config["model"]["system_prompt"],
        seed=replicate_seed,
        code=script_code("finetune.py"),
    script:
        "../scripts/finetune.py"


# The gold model: the same recipe on the retain set alone.
use rule finetune as retain_only with:
    input:
        base=model_dir(BASE),
        data=["data/sr.jsonl"],
        rehearsal=rehearsal_data(),
        validated=VALIDATED,
        parts=MODEL_PARTS,
    output:
        model=directory(model_dir(GOLD_PATTERN)),
        train_log=train_log_path(GOLD_PATTERN),
    log:
        job_log(GOLD, GOLD_PATTERN),
    benchmark:
        job_benchmark(GOLD, GOLD_PATTERN)
