# config.yaml's YAML syntax, checked before Snakemake loads it: an error names the file,
# line and column (Snakemake's own message names neither). Snakemake reads a
# --configfile before the workflow: `unlearnflow check-yaml FILE` names the line there.
from pathlib import Path

from unlearnflow.yaml_syntax import yaml_syntax_problem

if Path("config.yaml").exists():  # a missing one: Snakemake says so itself
    problem = yaml_syntax_problem("config.yaml")
    if problem:
        raise WorkflowError(problem)
