# Evaluation of every model, and the sweep table.


rule evaluate:
    input:
        unpack(evaluate_inputs),
        forget="data/sf.jsonl",
        retain="data/sr.jsonl",
        holdout="data/holdout.jsonl",
        wrong_details="data/wrong_details.jsonl",
        probes="data/forget_probes.jsonl",
        real_authors=TOFU_DATA / "real_authors_perturbed.json",
        world_facts=TOFU_DATA / "world_facts_perturbed.json",
    output:
        evaluation="results/eval/{model}.json",
    log:
        "logs/evaluate/{model}.log",
    benchmark:
        "benchmarks/evaluate/{model}.tsv"
    wildcard_constraints:
        model="finetuned|retain_only|unlearn/[^/]+/[^/]+",
    conda:
        "../envs/unlearnflow.yaml"
    params:
        settings=config["evaluation"],
        system_prompt=config["model"]["system_prompt"],
        seed=config["seed"],
        code=code_fingerprint(
            *TRAINING_CODE,
            "evaluate.py",
            "answering.py",
            "decoding.py",
            "metrics",
            "data/text.py",
        ),
    script:
        "../scripts/evaluate.py"


rule sweep_results:
    input:
        unpack(sweep_inputs),
    output:
        table="results/sweep_results.json",
        csv="results/sweep_results.csv",
    log:
        "logs/sweep_results.log",
    localrule: True
    conda:
        "../envs/unlearnflow.yaml"
    params:
        models=MODELS,
        code=code_fingerprint("aggregate.py", "metrics"),
    script:
        "../scripts/sweep_results.py"
