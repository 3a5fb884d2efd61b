# Tables of the sweep, the quantization stress test, the representation drift, the
# findings, the relearning attacks and the probes; the figures; the run's provenance.


rule tables:
    input:
        sweep="results/sweep_results.json",
        quantize="results/quantize_results.json",
        representation="results/repr_results.json",
        relearning=relearn_targets(),
        probes=probe_targets(),
    output:
        tables=[table_path(name, fmt) for name in TABLES for fmt in TABLE_FORMATS],
    log:
        "logs/tables.log",
    localrule: True
    conda:
        "../envs/unlearnflow.yaml"
    params:
        confidence=config["intervals"]["confidence"],
        code=script_code("tables.py"),
    script:
        "../scripts/tables.py"


rule figures:
    input:
        sweep="results/sweep_results.json",
        quantize="results/quantize_results.json",
        representation="results/repr_results.json",
        relearning=relearn_targets(),
        probes=probe_targets(),
        epochs=epoch_targets(),
    output:
        **{
            name: report(
                figure_path(name),
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
        confidence=config["intervals"]["confidence"],
        code=script_code("figures.py"),
    script:
        "../scripts/figures.py"


rule provenance:
    input:
        task_targets(),
    output:
        provenance=report(
            PROVENANCE, caption="../report/provenance.rst", category="Provenance"
        ),
    log:
        "logs/provenance.log",
    localrule: True
    conda:
        "../envs/unlearnflow.yaml"
    params:
        config=config,
        precision=MODEL_PRECISION,
        source=str(WORKFLOW_DIR),
        code=script_code("provenance.py"),
    script:
        "../scripts/provenance.py"
