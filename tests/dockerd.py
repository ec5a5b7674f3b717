"""A throw-away Docker engine for the image test: Debian's dockerd, on its own socket.

Nothing of the machine's is touched: the data root, exec root (with containerd's
socket), pid file and API socket are all in one temporary directory. It gets no
network of its own (``--bridge=none --iptables=false --ip-masq=false``), so no
container gets an address: containers run with ``--network host`` and listen on
loopback ports. ``stop()`` removes every container, stops the daemon and unmounts
what it left mounted before the directory is deleted.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import Any

from nevr_events.testing.ferretdb import die_with_parent, free_port

DOCKERD = shutil.which("dockerd") or "/usr/bin/dockerd"
# Debian's client, of the daemon's version (another `docker` may come first on PATH).
DOCKER = "/usr/bin/docker" if os.path.exists("/usr/bin/docker") else (shutil.which("docker") or "")
LABEL = "nevr-events-test"
__all__ = ["DOCKER", "DOCKERD", "LABEL", "LocalDockerd", "free_port"]


class LocalDockerd:
    def __init__(self) -> None:
        # Short: the API socket's path must fit a sockaddr_un (108 bytes).
        self.base = Path(tempfile.mkdtemp(prefix="nevr-dockerd-", dir="/tmp"))
        self.socket = self.base / "docker.sock"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def log_path(self) -> Path:
        return self.base / "dockerd.log"

    def start(self, timeout: float = 60.0) -> LocalDockerd:
        log = open(self.log_path, "wb")  # noqa: SIM115 - handed to the child
        self.process = subprocess.Popen(
            [
                DOCKERD,
                f"--data-root={self.base / 'root'}",
                f"--exec-root={self.base / 'exec'}",
                f"--pidfile={self.base / 'docker.pid'}",
                f"--host=unix://{self.socket}",
                "--bridge=none",
                "--iptables=false",
                "--ip-masq=false",
                "--userland-proxy=false",
                "--log-level=warn",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            preexec_fn=die_with_parent,
        )
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"dockerd exited at start:\n{self.logs()}")
            if self.socket.exists() and self.docker("version", check=False).returncode == 0:
                return self
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"dockerd did not answer within {timeout}s:\n{self.logs()}")

    def docker(
        self, *args: str, check: bool = True, timeout: float = 120.0, input: bytes | None = None
    ) -> subprocess.CompletedProcess[str]:
        """``docker ARGS`` against this engine; text output, raises on failure when ``check``."""
        result = subprocess.run(
            [DOCKER, f"--host=unix://{self.socket}", *args],
            capture_output=True,
            timeout=timeout,
            input=input,
        )
        done = subprocess.CompletedProcess(
            result.args,
            result.returncode,
            result.stdout.decode(errors="replace"),
            result.stderr.decode(errors="replace"),
        )
        if check and done.returncode != 0:
            raise RuntimeError(
                f"docker {' '.join(args)} failed ({done.returncode}):\n{done.stderr}"
            )
        return done

    def inspect(self, container: str) -> dict[str, Any]:
        return json.loads(self.docker("inspect", container).stdout)[0]

    def logs(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(Exception):
                ids = self.docker("ps", "-aq", "--filter", f"label={LABEL}", check=False)
                if ids.stdout.split():
                    self.docker("rm", "-f", *ids.stdout.split(), check=False, timeout=60)
                self.docker("volume", "prune", "-f", check=False, timeout=60)
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
        # dockerd leaves its network namespace (and, when killed, overlay mounts) mounted.
        mounts = [line.split()[1] for line in Path("/proc/self/mounts").read_text().splitlines()]
        for mount in reversed(mounts):
            if mount.startswith(str(self.base) + "/"):
                subprocess.run(["umount", "-l", mount], capture_output=True, check=False)
        shutil.rmtree(self.base, ignore_errors=True)

    def __enter__(self) -> LocalDockerd:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
