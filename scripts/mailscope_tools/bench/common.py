"""What the benchmarks share: MiB, progress on stderr, the repository root."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
MB = 1 << 20


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)
