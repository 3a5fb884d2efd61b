# A published benchmark (benchmark.name) imported into the workflow's data files, its
# rows checked on the way in (unlearnflow/benchmarks/): the report it writes gates every
# rule that reads the benchmark, as the red team's does for the synthetic one.


rule import_benchmark:
    input:
        benchmark_source_files(),
    output:
        **BENCHMARK_FILES,
        report=VALIDATED,
    log:
        "logs/import_benchmark.log",
    # a Hub download needs the internet, which cluster nodes may lack
    localrule: True
    conda:
        "../envs/unlearnflow.yaml"
    params:
        benchmark=config["benchmark"],
        code=import_code(),
    script:
        "../scripts/import_benchmark.py"
