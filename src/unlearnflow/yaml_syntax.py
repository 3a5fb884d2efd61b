"""YAML syntax errors with the file, line and column: Snakemake's own message for a
config file it cannot parse names none of them."""

from __future__ import annotations

from pathlib import Path

import yaml


def yaml_syntax_problem(path: str | Path) -> str | None:
    """What is wrong with `path` as YAML (the parser's message names the line and
    column), or None where it parses."""
    try:
        with open(path, encoding="utf-8") as document:
            yaml.safe_load(document)
    except yaml.YAMLError as error:
        return f"{path} is not valid YAML: {error}"
    return None
