# Tables of the sweep, the quantization stress test and the representation drift.


rule tables:
    input:
        sweep="results/sweep_results.json",
        quantize="results/quantize_results.json",
        representation="results/repr_results.json",
    output:
        tables=multiext(
            "results/tables/",
            *[f"{name}.{ext}" for name in TABLES for ext in ("csv", "md", "tex")],
        ),
    log:
        "logs/tables.log",
    localrule: True
    conda:
        "../envs/unlearnflow.yaml"
    params:
        code=code_fingerprint("tables.py"),
    script:
        "../scripts/tables.py"


rule figures:
    input:
        sweep="results/sweep_results.json",
        quantize="results/quantize_results.json",
        representation="results/repr_results.json",
    output:
        **{
            name: report(
                f"results/figures/{name}.png",
                caption=f"../report/{name}.rst",
                category="Figures",
            )
            for name in FIGURES
        },
    log:
        "logs/figures.log",
    localrule: True
    conda:
        "../envs/unlearnflow.yaml"
    params:
        code=code_fingerprint("plots.py", "tables.py"),
    script:
        "../scripts/figures.py"
