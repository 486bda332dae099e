"""The Lambda package as `make package` builds it: its size, what fills it, and a cold start.

A Lambda cold start of a zip function downloads and unpacks the zip, starts the
interpreter with the function's folder first on sys.path and the runtime's own packages
(its boto3, botocore, ...) after it, imports the handler's module, and then serves the
first request, which here creates the Powertools tracer (the X-Ray SDK, patching botocore)
and a DynamoDB client. This measures the part a machine can reproduce without AWS: the
unpacking, and that start in fresh interpreters (`python -S -E`, so nothing of the venv
is seen but a folder standing in for the runtime's SDK, linked from the venv's). The
download is AWS's part and grows with the zip; it is not measured here.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from devstack.package import cold_start, runtime_folder

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class PackageFigures:
    """Sizes in bytes; times in seconds (medians of `runs` fresh interpreters)."""

    zip_bytes: int
    unpacked_bytes: int
    largest: list[tuple[str, int]] = field(default_factory=list)  # top-level name, zipped
    unpack_seconds: float = 0.0
    import_app_seconds: float = 0.0
    first_request_seconds: float = 0.0
    runs: int = 0


def build(out: Path) -> Path:
    """`make package` into out; the zip's path."""
    from devstack.package import build as package

    package(out)
    return out / "deployment.zip"


def breakdown(zip_path: Path, top: int = 8) -> tuple[int, list[tuple[str, int]]]:
    """Unpacked bytes, and the largest top-level entries by zipped bytes."""
    from devstack.package import shipped_top_level

    zipped: Counter[str] = Counter()
    unpacked = 0
    with zipfile.ZipFile(zip_path) as archive:
        for entry in archive.infolist():
            zipped[shipped_top_level(entry.filename)] += entry.compress_size
            unpacked += entry.file_size
    return unpacked, zipped.most_common(top)


def _probe(task: Path, runtime: Path) -> tuple[float, float]:
    started = cold_start(task, runtime)
    return started["import_app"], started["first_request"]


def measure(zip_path: Path, runs: int = 9) -> PackageFigures:
    """Size, what fills it, and the medians of unpacking and starting it `runs` times."""
    unpacked, largest = breakdown(zip_path)
    figures = PackageFigures(zip_path.stat().st_size, unpacked, largest, runs=runs)
    unpack, imports, requests = [], [], []
    # in memory when the machine has a tmpfs: the disk of a shared machine is the noise
    memory = "/dev/shm" if Path("/dev/shm").is_dir() else None
    with tempfile.TemporaryDirectory(prefix="destek-coldstart-", dir=memory) as tmp:
        runtime = runtime_folder(Path(tmp) / "runtime")
        for run in range(runs):
            task = Path(tmp) / f"task{run}"
            started = time.perf_counter()
            with zipfile.ZipFile(zip_path) as archive:
                archive.extractall(task)
            unpack.append(time.perf_counter() - started)
            app_seconds, request_seconds = _probe(task, runtime)
            imports.append(app_seconds)
            requests.append(request_seconds)
    figures.unpack_seconds = statistics.median(unpack)
    figures.import_app_seconds = statistics.median(imports)
    figures.first_request_seconds = statistics.median(requests)
    return figures


if __name__ == "__main__":  # python -m bench.package [ZIP]: measure a zip already built
    sys.path.insert(0, str(ROOT))
    if len(sys.argv) > 1:
        zip_path = Path(sys.argv[1])
    else:
        zip_path = build(Path(tempfile.mkdtemp(prefix="destek-package-")))
    print(measure(zip_path))
