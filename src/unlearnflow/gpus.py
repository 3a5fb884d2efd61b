"""Each job on a multi-GPU machine sees only the GPUs it was given.

Snakemake counts GPUs (`--resources gpu=N` against each rule's `gpu` resource) but
does not say which device a job should use, so without help every job would start on
GPU 0. A job that asks for `gpu=k` claims k devices of the machine's pool by taking an
exclusive lock on one file per device (`.snakemake/gpu-locks/gpu-<id>.lock`) and sets
CUDA_VISIBLE_DEVICES to them before CUDA starts. The locks are released when the job
ends, even by a crash (the kernel drops them with the process). With
`--resources gpu=N` Snakemake never runs more GPU jobs than there are devices, so a
free one is found at once; without it, surplus jobs wait for a device to come free.

The pool is CUDA_VISIBLE_DEVICES as the workflow was started with, else every device
`nvidia-smi` lists; a machine without GPUs runs the job on its CPU. Under SLURM the
scheduler has already given the job its devices: nothing is claimed there.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

log = logging.getLogger(__name__)

LOCK_FOLDER = Path(".snakemake") / "gpu-locks"


def device_pool() -> list[str]:
    """The GPU ids this machine offers to the workflow."""
    visible = os.environ.get("CUDA_VISIBLE_DEVICES")
    if visible is not None:
        return [device for device in visible.split(",") if device.strip()]
    try:
        listing = subprocess.run(
            ["nvidia-smi", "--query-gpu=index", "--format=csv,noheader"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return []
    return [line.strip() for line in listing.splitlines() if line.strip()]


@contextlib.contextmanager
def claimed_gpus(
    count: int, lock_folder: Path = LOCK_FOLDER, wait_s: float | None = None
) -> Iterator[list[str]]:
    """Claim `count` devices of the pool for the duration of the block (waiting at most
    `wait_s` seconds, None: as long as it takes), visible to CUDA as the only ones
    (CUDA_VISIBLE_DEVICES is restored after); yields their ids, none for count 0, under
    SLURM, or on a machine without GPUs."""
    if count <= 0 or "SLURM_JOB_ID" in os.environ:
        yield []
        return
    pool = device_pool()
    if not pool:
        log.info("no GPU on this machine: running on the CPU")
        yield []
        return
    if len(pool) < count:
        raise RuntimeError(
            f"this job asks for {count} GPUs (its rule's resource gpu) but the machine"
            f" offers {len(pool)}: {pool}"
        )
    lock_folder.mkdir(parents=True, exist_ok=True)
    held: dict[str, int] = {}
    visible = os.environ.get("CUDA_VISIBLE_DEVICES")
    deadline = None if wait_s is None else time.monotonic() + wait_s
    try:
        while len(held) < count:
            for device in pool:
                if device in held or len(held) == count:
                    continue
                handle = os.open(lock_folder / f"gpu-{device}.lock", os.O_CREAT | os.O_RDWR)
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    os.close(handle)
                else:
                    held[device] = handle
            if len(held) < count:
                if deadline is not None and time.monotonic() > deadline:
                    raise TimeoutError(
                        f"no free GPU in {pool} after {wait_s:.0f} s: run with"
                        f" --resources gpu={len(pool)} (or fewer)"
                    )
                time.sleep(0.2)
        devices = list(held)
        os.environ["CUDA_VISIBLE_DEVICES"] = ",".join(devices)
        log.info("running on GPU(s) %s", ",".join(devices))
        yield devices
    finally:
        for handle in held.values():
            os.close(handle)
        if visible is None:
            os.environ.pop("CUDA_VISIBLE_DEVICES", None)
        else:
            os.environ["CUDA_VISIBLE_DEVICES"] = visible
