"""What every rule script runs inside: its log, an exit when Snakemake dies, and for a
model job the GPUs it was given."""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys
from collections.abc import Iterator

from .gpus import claimed_gpus
from .logs import logging_to

PR_SET_PDEATHSIG = 1  # linux/prctl.h


def exit_with_parent() -> None:
    """Have the kernel send this process SIGTERM when its parent, Snakemake, dies, and
    end on SIGTERM as on an exception (partial outputs are cleaned up): a killed run
    leaves no job behind spending compute or API calls (Linux; elsewhere the signal
    handler alone)."""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    if sys.platform != "linux":
        return
    parent = os.getppid()
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != parent:  # reparented before the call took hold: the parent died
        os.kill(os.getpid(), signal.SIGTERM)


@contextlib.contextmanager
def script_job(snakemake) -> Iterator[None]:
    """The rule's log file; the script ends with Snakemake."""
    exit_with_parent()
    with logging_to(snakemake.log[0]):
        yield


@contextlib.contextmanager
def model_job(snakemake) -> Iterator[None]:
    """A script job that also sets CUDA_VISIBLE_DEVICES to the devices claimed for its
    `gpu` resource (none when it asks for none)."""
    with script_job(snakemake), claimed_gpus(int(snakemake.resources.get("gpu", 0))):
        yield
