"""A throw-away local database for development and tests: FerretDB on SQLite.

No MongoDB server can be installed from this machine's package registries, so
the tests and ``nevr-events serve --local-db`` run FerretDB v1.24.2, built
from the Go module proxy on first use. FerretDB always runs with
``--telemetry=disable``: nothing here may call out to the internet.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType

FERRETDB_MODULE = "github.com/FerretDB/FerretDB"
FERRETDB_VERSION = "v1.24.2"
CACHE_DIR = Path(os.environ.get("NEVR_EVENTS_CACHE", Path.home() / ".cache" / "nevr-events"))


def ferretdb_binary() -> Path:
    """Path of the FerretDB binary, building it first if needed.

    ``FERRETDB_BIN`` names an existing binary. Otherwise the module source is
    fetched with ``go mod download`` and built with ``go build``; a plain
    ``go install …@v1.24.2`` would build a binary that panics at start because
    the module lacks the generated ``build/version/version.txt``.
    """
    if env := os.environ.get("FERRETDB_BIN"):
        return Path(env)
    binary = CACHE_DIR / f"ferretdb-{FERRETDB_VERSION}"
    if binary.exists():
        return binary
    go = shutil.which("go") or "/usr/local/go/bin/go"
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    download = subprocess.run(
        [go, "mod", "download", "-json", f"{FERRETDB_MODULE}@{FERRETDB_VERSION}"],
        check=True,
        capture_output=True,
        text=True,
        cwd=CACHE_DIR,
    )
    import json

    source = Path(json.loads(download.stdout)["Dir"])
    with tempfile.TemporaryDirectory(dir=CACHE_DIR) as tmp:
        tree = Path(tmp) / "src"
        shutil.copytree(source, tree)
        for path in tree.rglob("*"):
            path.chmod(path.stat().st_mode | 0o200)
        (tree / "build" / "version" / "version.txt").write_text(FERRETDB_VERSION + "\n")
        partial = binary.with_suffix(".partial")
        subprocess.run([go, "build", "-o", str(partial), "./cmd/ferretdb"], check=True, cwd=tree)
        partial.rename(binary)
    return binary


def die_with_parent() -> None:
    """``preexec_fn`` for helper processes: end them if the process that started
    them dies without cleaning up (Linux only; elsewhere a no-op)."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class LocalFerretDB:
    """FerretDB on a loopback port with its data in a directory; a context manager.

    >>> with LocalFerretDB() as db:
    ...     db.uri  # 'mongodb://127.0.0.1:<port>/'
    """

    def __init__(self, data_dir: str | os.PathLike[str] | None = None, port: int | None = None):
        self._owned_dir = data_dir is None
        self.data_dir = Path(data_dir or tempfile.mkdtemp(prefix="nevr-ferretdb-"))
        self.port = port or free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def uri(self) -> str:
        return f"mongodb://127.0.0.1:{self.port}/"

    def start(self, timeout: float = 30.0) -> LocalFerretDB:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        log = open(self.data_dir / "ferretdb.log", "ab")  # noqa: SIM115 - lives with the process
        self.process = subprocess.Popen(
            [
                str(ferretdb_binary()),
                "--handler=sqlite",
                f"--sqlite-url=file:{self.data_dir}/",
                f"--listen-addr=127.0.0.1:{self.port}",
                f"--state-dir={self.data_dir}",
                "--telemetry=disable",
                "--debug-addr=127.0.0.1:0",
                "--log-level=warn",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C on the terminal must not stop it first
            preexec_fn=die_with_parent,
        )
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"FerretDB exited at start; see {self.data_dir}/ferretdb.log")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return self
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"FerretDB did not listen on port {self.port} within {timeout}s")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def cleanup(self) -> None:
        self.stop()
        if self._owned_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)

    def __enter__(self) -> LocalFerretDB:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.cleanup()
