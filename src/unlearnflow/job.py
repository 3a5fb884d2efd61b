"""What every script that loads a model runs inside: its log, and the GPUs it was given."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from .gpus import claimed_gpus
from .logs import logging_to


@contextlib.contextmanager
def model_job(snakemake) -> Iterator[None]:
    """The rule's log file, and CUDA_VISIBLE_DEVICES set to the devices claimed for its
    `gpu` resource (none when it asks for none)."""
    with logging_to(snakemake.log[0]), claimed_gpus(int(snakemake.resources.get("gpu", 0))):
        yield
