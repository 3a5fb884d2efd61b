# config.yaml's YAML syntax, checked before Snakemake loads it: an error names the file,
# line and column (Snakemake's own message names neither).
import yaml
from pathlib import Path


def check_yaml_syntax(path):
    if not Path(path).exists():
        return  # Snakemake says so itself
    try:
        with open(path) as config_file:
            yaml.safe_load(config_file)
    except yaml.YAMLError as error:
        raise WorkflowError(f"{path} is not valid YAML: {error}") from None


check_yaml_syntax("config.yaml")
