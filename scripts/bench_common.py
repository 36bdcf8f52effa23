"""Shared pieces of the benchmark scripts: constructed profiles and process memory sampling."""

from __future__ import annotations

import json
import subprocess
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

# Constructed (fictional) profiles: the shipped examples varied in id, age and diagnosis.
DIAGNOSES = (
    "synovial sarcoma",
    "embryonal rhabdomyosarcoma",
    "infantile fibrosarcoma",
    "Ewing sarcoma",
    "malignant peripheral nerve sheath tumor",
    "undifferentiated sarcoma",
)


def constructed_profiles(n: int, *, distinct_diagnoses: int = len(DIAGNOSES)) -> list[str]:
    base = json.loads((REPO / "examples" / "synovial-pulmonary.json").read_text())
    bodies = []
    for i in range(n):
        body = dict(base)
        body["reference"] = f"BENCH-{i:05d}"
        body["age_months"] = 12 + (i * 7) % 250
        body["diagnosis"] = DIAGNOSES[i % distinct_diagnoses]
        bodies.append(json.dumps(body))
    return bodies


def rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return 0
    return 0


def process_tree(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True, check=False)
    children = [int(p) for p in out.stdout.split()]
    return [pid, *[g for c in children for g in process_tree(c)]]


class PeakRss:
    """Samples the summed RSS of a process tree every `interval` seconds; keeps the peak."""

    def __init__(self, pid: int, interval: float = 0.2) -> None:
        self.pid, self.interval, self.peak_kib = pid, interval, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            total = sum(rss_kib(p) for p in process_tree(self.pid))
            self.peak_kib = max(self.peak_kib, total)
            time.sleep(self.interval)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak_kib


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = max(0, min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1))))
    return ordered[k]
