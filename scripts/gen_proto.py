#!/usr/bin/env python3
"""Regenerate the committed protobuf Python modules from nevr_events/wire/pb/*.proto.

Usage: python scripts/gen_proto.py [--check]

With --check nothing is written: the exit status is 1 when the committed
modules differ from what grpcio-tools generates now (a stale checkout).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PB_DIR = ROOT / "nevr_events" / "wire" / "pb"
PROTOS = (
    "enginehttp.proto",
    "telemetry.proto",
    "spatial.proto",
    "echo_arena.proto",
    "capture.proto",
)


def generate(out_dir: Path) -> list[Path]:
    """Run protoc (from grpcio-tools) into out_dir and return the files written."""
    import grpc_tools
    from grpc_tools import protoc

    include = Path(grpc_tools.__file__).parent / "_proto"
    args = [
        "protoc",
        f"-I{ROOT}",
        f"-I{include}",
        f"--python_out={out_dir}",
        f"--pyi_out={out_dir}",
        *(f"nevr_events/wire/pb/{name}" for name in PROTOS),
    ]
    if protoc.main(args) != 0:
        raise SystemExit("protoc failed")
    return sorted((out_dir / "nevr_events" / "wire" / "pb").glob("*_pb2.py*"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only compare, write nothing")
    opts = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        stale = []
        for generated in generate(Path(tmp)):
            target = PB_DIR / generated.name
            fresh = generated.read_text()
            if opts.check:
                if not target.exists() or target.read_text() != fresh:
                    stale.append(target.name)
            else:
                target.write_text(fresh)
        if stale:
            print(f"stale generated code: {', '.join(stale)}; run python scripts/gen_proto.py")
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
