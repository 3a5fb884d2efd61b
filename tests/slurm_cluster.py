"""A real one-node SLURM on 127.0.0.1 (Debian's slurm-wlm and munge), started and
stopped by its owner: munged on its own socket, slurmctld and slurmd in the foreground,
every daemon stopped by its PID. Two empty files stand in for the node's GPUs (a GRES
`gpu:2`), so that jobs asking for `--gpus` are scheduled.

The executor plugin's job step drops SLURM_CONF before its inner `srun`, so the config
is also linked from /etc/slurm/slurm.conf while the cluster runs (root needed).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

SYSTEM_CONFIG = Path("/etc/slurm/slurm.conf")
MARKER = ".unlearnflow-test-cluster"  # in the folder of every cluster made here
DAEMONS = ("munged", "slurmctld", "slurmd", "sbatch", "squeue")


def missing_programs() -> list[str]:
    return [name for name in DAEMONS if shutil.which(name) is None]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _memory_mb() -> int:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) // 1024 - 2048  # leave the system some
    raise RuntimeError("no MemTotal in /proc/meminfo")


class LocalSlurm:
    """`with LocalSlurm(folder) as cluster:` a running cluster; `cluster.env` is the
    environment its clients need."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.node = socket.gethostname().split(".")[0]
        self.processes: list[subprocess.Popen] = []
        self.linked = False

    @property
    def config(self) -> Path:
        return self.folder / "slurm.conf"

    @property
    def env(self) -> dict:
        return {**os.environ, "SLURM_CONF": str(self.config)}

    def write_config(self) -> None:
        folder = self.folder
        for name in ("state", "log", f"spool/{self.node}"):
            (folder / name).mkdir(parents=True, exist_ok=True)
        for gpu in ("gpu0", "gpu1"):
            (folder / gpu).touch()
        (folder / "gres.conf").write_text(f"NodeName={self.node} Name=gpu File={folder}/gpu[0-1]\n")
        settings = {
            "ClusterName": "unlearnflow",
            "SlurmctldHost": f"{self.node}(127.0.0.1)",
            "SlurmctldPort": _free_port(),
            "SlurmdPort": _free_port(),
            "SlurmUser": "root",
            "SlurmdUser": "root",
            "AuthType": "auth/munge",
            "AuthInfo": f"socket={folder}/munge.sock",
            "CredType": "cred/munge",
            "StateSaveLocation": f"{folder}/state",
            "SlurmdSpoolDir": f"{folder}/spool/%n",
            "SlurmctldPidFile": f"{folder}/slurmctld.pid",
            "SlurmdPidFile": f"{folder}/slurmd.pid",
            "SlurmctldLogFile": f"{folder}/log/slurmctld.log",
            "SlurmdLogFile": f"{folder}/log/slurmd.log",
            "ProctrackType": "proctrack/linuxproc",
            "TaskPlugin": "task/none",
            "MpiDefault": "none",
            "ReturnToService": 2,
            "SchedulerType": "sched/builtin",
            "SelectType": "select/cons_tres",
            "SelectTypeParameters": "CR_Core_Memory",
            "MailProg": "/bin/true",
            "DefMemPerCPU": 1000,
            "MinJobAge": 3600,  # scontrol still shows a finished job for an hour
            "JobAcctGatherType": "jobacct_gather/none",
            "AccountingStorageType": "accounting_storage/none",
            "GresTypes": "gpu",
        }
        lines = [f"{key}={value}" for key, value in settings.items()]
        lines += [
            f"NodeName={self.node} NodeAddr=127.0.0.1 CPUs={os.cpu_count()}"
            f" RealMemory={_memory_mb()} Gres=gpu:2 State=UNKNOWN",
            "PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP",
        ]
        self.config.write_text("\n".join(lines) + "\n")
        (folder / MARKER).touch()
        key = folder / "munge.key"
        key.write_bytes(os.urandom(1024))
        key.chmod(0o600)

    def start(self) -> None:
        self.write_config()
        folder = self.folder
        if SYSTEM_CONFIG.is_symlink() and (SYSTEM_CONFIG.resolve().parent / MARKER).exists():
            SYSTEM_CONFIG.unlink()  # left by a test cluster that was killed
        if SYSTEM_CONFIG.exists() or SYSTEM_CONFIG.is_symlink():
            raise RuntimeError(f"{SYSTEM_CONFIG} exists: this machine has its own SLURM")
        SYSTEM_CONFIG.parent.mkdir(parents=True, exist_ok=True)
        SYSTEM_CONFIG.symlink_to(self.config)
        self.linked = True
        munged = [
            "munged",
            "--foreground",
            "--force",
            f"--socket={folder}/munge.sock",
            f"--key-file={folder}/munge.key",
            f"--pid-file={folder}/munged.pid",
            f"--log-file={folder}/log/munged.log",
            f"--seed-file={folder}/munged.seed",
        ]
        self._spawn(munged)
        self._wait_for(lambda: (folder / "munge.sock").exists(), "munged's socket")
        self._spawn(["slurmctld", "-D", "-f", str(self.config)])
        self._wait_for(self._controller_answers, "slurmctld")
        self._spawn(["slurmd", "-D", "-f", str(self.config)])
        self._wait_for(self._node_idle, "the node to come up idle")

    def jobs(self) -> list[dict[str, str]]:
        """Every job the controller still knows (finished ones for MinJobAge), as
        `scontrol show job` fields."""
        listing = self._run("scontrol", "show", "job", "--oneliner").stdout
        return [
            dict(field.split("=", 1) for field in line.split() if "=" in field)
            for line in listing.splitlines()
            if line.startswith("JobId=")
        ]

    def _spawn(self, command: list[str]) -> None:
        log = open(self.folder / "log" / f"{command[0]}.out", "w")  # noqa: SIM115
        self.processes.append(
            subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=self.env)
        )

    def _controller_answers(self) -> bool:
        return self._run("sinfo", "-h").returncode == 0

    def _node_idle(self) -> bool:
        return "idle" in self._run("sinfo", "-h", "-o", "%T").stdout

    def _run(self, *command: str) -> subprocess.CompletedProcess:
        return subprocess.run(command, capture_output=True, text=True, env=self.env)

    def _wait_for(self, ready, what: str, timeout_s: float = 30.0) -> None:
        deadline = time.monotonic() + timeout_s
        while not ready():
            for process in self.processes:
                if process.poll() is not None:
                    raise RuntimeError(f"{process.args[0]} exited ({process.returncode})")
            if time.monotonic() > deadline:
                raise TimeoutError(f"waited {timeout_s:.0f} s for {what}")
            time.sleep(0.2)

    def stop(self) -> None:
        for process in reversed(self.processes):
            if process.poll() is None:
                os.kill(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.kill(process.pid, signal.SIGKILL)
                process.wait()
        if self.linked:
            SYSTEM_CONFIG.unlink()

    def __enter__(self) -> LocalSlurm:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
