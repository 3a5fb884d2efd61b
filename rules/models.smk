# Models: the base model, the fine-tuned model and the gold (retain-only) model.


rule prepare_base_model:
    output:
        model=directory("results/models/base"),
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
        code=code_fingerprint("models.py"),
    script:
        "../scripts/prepare_base_model.py"


rule finetune:
    input:
        base="results/models/base",
        data=["data/sf.jsonl", "data/sr.jsonl"],
    output:
        model=directory("results/models/finetuned"),
        train_log="results/train/finetuned.json",
    log:
        "logs/finetune.log",
    benchmark:
        "benchmarks/finetune.tsv"
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
        training=config["training"]["finetune"],
        system_prompt=config["model"]["system_prompt"],
        seed=config["seed"],
        code=code_fingerprint(*TRAINING_CODE),
    script:
        "../scripts/finetune.py"


rule retain_only:
    input:
        base="results/models/base",
        data=["data/sr.jsonl"],
    output:
        model=directory("results/models/retain_only"),
        train_log="results/train/retain_only.json",
    log:
        "logs/retain_only.log",
    benchmark:
        "benchmarks/retain_only.tsv"
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
        training=config["training"]["finetune"],
        system_prompt=config["model"]["system_prompt"],
        seed=config["seed"],
        code=code_fingerprint(*TRAINING_CODE),
    script:
        "../scripts/finetune.py"
