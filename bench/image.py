"""The container image: its size and its cold start (``docker run`` to ``/health`` 200).

Builds the image with ``scripts/image`` (podman, on the Debian base it makes), loads it
into a throw-away dockerd (``tests/dockerd.py``: its own socket and data root, no
network of its own) and starts ``--runs`` containers one after another, each on a new
volume (a new, empty store), with ``--network host`` on a loopback port. Reports the
image's size, the base's, and the median and range of the cold start. Stops by itself;
removes every container and the engine.

    python bench/image.py --runs 5
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import harness  # noqa: E402
from tests.dockerd import LABEL, LocalDockerd, free_port  # noqa: E402

IMAGE = "localhost/nevr-events:bench"


def cold_start(docker: LocalDockerd) -> float:
    port = free_port()
    name = f"nevr-bench-{uuid.uuid4().hex[:8]}"
    started = time.monotonic()
    docker.docker(
        *("run", "--detach", "--name", name, "--label", LABEL, "--network", "host"),
        *("--env", "JWT_SECRET=" + "b" * 40, "--env", f"SERVER_ADDRESS=127.0.0.1:{port}"),
        *("--volume", f"{name}:/data", IMAGE),
    )
    try:
        while time.monotonic() - started < 60:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as r:
                    if r.status == 200:
                        return time.monotonic() - started
            except OSError:
                pass
            time.sleep(0.02)
        raise RuntimeError("no /health 200 within 60 s")
    finally:
        docker.docker("rm", "--force", "--volumes", name, check=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = harness.parse(parser, {"runs": 1})
    with tempfile.TemporaryDirectory() as folder:
        archive = Path(folder) / "image.tar"
        started = time.monotonic()
        subprocess.run([str(ROOT / "scripts" / "image"), IMAGE, str(archive)], check=True)
        print(f"scripts/image: {time.monotonic() - started:.1f} s")
        with LocalDockerd() as docker:
            docker.docker("load", "--input", str(archive), timeout=300)
            size = int(docker.inspect(IMAGE)["Size"])
            base = subprocess.run(
                ["podman", "image", "inspect", "--format", "{{.Size}}", IMAGE],
                capture_output=True,
                text=True,
            )
            print(f"image size (docker): {size / 1e6:.1f} MB; podman says {base.stdout.strip()} B")
            times = [cold_start(docker) for _ in range(args.runs)]
    print(
        f"cold start to /health 200 over {args.runs} runs: median {statistics.median(times):.2f} s"
        f" (min {min(times):.2f}, max {max(times):.2f})"
    )


if __name__ == "__main__":
    main()
