# Benchmark generation: profiles -> facts -> QA -> forget probes -> red team.


rule generate_profiles:
    output:
        profiles="data/profiles.jsonl",
    log:
        "logs/generate_profiles.log",
    conda:
        "../envs/unlearnflow.yaml"
    resources:
        **backend_resources(),
    params:
        backend=backend_params(),
        people=config["data"]["people"],
        holdout_people=config["data"]["holdout_people"],
        code=generation_code("generate_profiles.py"),
    script:
        "../scripts/generate_profiles.py"


rule generate_facts:
    input:
        profiles="data/profiles.jsonl",
    output:
        facts="data/facts.jsonl",
    log:
        "logs/generate_facts.log",
    conda:
        "../envs/unlearnflow.yaml"
    resources:
        **backend_resources(),
    params:
        backend=backend_params(),
        categories=config["data"]["categories"],
        forget_category=config["data"]["forget_category"],
        correlated_categories=config["data"]["correlated_categories"],
        code=generation_code("generate_facts.py"),
    script:
        "../scripts/generate_facts.py"


rule generate_qa:
    input:
        profiles="data/profiles.jsonl",
        facts="data/facts.jsonl",
    output:
        forget="data/sf.jsonl",
        retain="data/sr.jsonl",
        holdout="data/holdout.jsonl",
        wrong_details="data/wrong_details.jsonl",
    log:
        "logs/generate_qa.log",
    conda:
        "../envs/unlearnflow.yaml"
    resources:
        **backend_resources(),
    params:
        backend=backend_params(),
        paraphrased_questions=config["data"]["paraphrased_questions"],
        wrong_answers=config["data"]["wrong_answers"],
        code=generation_code("generate_qa.py"),
    script:
        "../scripts/generate_qa.py"


rule generate_forget_probes:
    input:
        profiles="data/profiles.jsonl",
        facts="data/facts.jsonl",
        forget="data/sf.jsonl",
    output:
        probes="data/forget_probes.jsonl",
    log:
        "logs/generate_forget_probes.log",
    conda:
        "../envs/unlearnflow.yaml"
    resources:
        **backend_resources(),
    params:
        backend=backend_params(),
        probes_per_fact=config["data"]["probes_per_fact"],
        code=generation_code("generate_forget_probes.py"),
    script:
        "../scripts/generate_forget_probes.py"


rule validate_data:
    input:
        profiles="data/profiles.jsonl",
        facts="data/facts.jsonl",
        forget="data/sf.jsonl",
        retain="data/sr.jsonl",
        holdout="data/holdout.jsonl",
        wrong_details="data/wrong_details.jsonl",
        probes="data/forget_probes.jsonl",
    output:
        report="data/validation_report.json",
    log:
        "logs/validate_data.log",
    conda:
        "../envs/unlearnflow.yaml"
    resources:
        **backend_resources(),
    params:
        expected=config["data"],
        judge_backend=judge_backend_params(),
        code=validation_code(),
    script:
        "../scripts/validate_data.py"
