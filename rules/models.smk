# Models: the base model as a plain Hugging Face folder.


rule prepare_base_model:
    output:
        model=directory("results/models/base"),
    log:
        "logs/prepare_base_model.log",
    benchmark:
        "benchmarks/prepare_base_model.tsv"
    conda:
        "../envs/unlearnflow.yaml"
    params:
        base=config["model"]["base"],
        code=code_fingerprint("models.py"),
    script:
        "../scripts/prepare_base_model.py"
