"""Sampling profiles of the running services (py-spy), summarised as where the CPU went.

``hk bench … --profile DIR`` records each worker while the workload runs and writes py-spy's collapsed
stacks there; the summary names the frames that hold the most samples, the bound a figure runs into.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
from collections import Counter
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def profiled(pids: dict[str, int], out: Path | None, rate: int = 97):
    """Record every named process while the body runs (nothing when ``out`` is None)."""
    if out is None:
        yield
        return
    # the virtualenv's py-spy, when hk runs as .venv/bin/hk without the venv on PATH
    spy = shutil.which("py-spy") or shutil.which("py-spy", path=str(Path(sys.executable).parent))
    if spy is None:
        raise SystemExit("--profile needs py-spy: .venv/bin/pip install -e '.[bench]'")
    out.mkdir(parents=True, exist_ok=True)
    procs = [subprocess.Popen([spy, "record", "--pid", str(pid), "--rate", str(rate), "--format", "raw",
                               "--nonblocking", "--output", str(out / f"{name}.txt")],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
             for name, pid in pids.items()]
    try:
        yield
    finally:
        for p in procs:
            p.send_signal(2)  # SIGINT: py-spy writes what it has
        for p in procs:
            p.wait(30)
        for name in pids:
            print(summary(out / f"{name}.txt", name))


def summary(collapsed: Path, name: str, top: int = 10) -> str:
    """Where the samples were: our own functions counting their callees (inclusive), every function alone (self)."""
    if not collapsed.exists():
        return f"{name}: no profile written"
    ours, leaves, total = Counter(), Counter(), 0
    for line in collapsed.read_text().splitlines():
        stack, _, n = line.rpartition(" ")
        if not n.isdigit():
            continue
        frames = stack.split(";")
        total += int(n)
        leaves[_short(frames[-1])] += int(n)
        for frame in {f for f in frames if "services/" in f}:
            ours[_short(frame)] += int(n)
    show = lambda c: "\n".join(f"  {100 * n / total:5.1f} %  {frame}" for frame, n in c.most_common(top))
    return (f"{name}: {total} samples\n our code, inclusive of what it calls:\n{show(ours)}\n"
            f" functions by own samples (self):\n{show(leaves)}")


def _short(frame: str) -> str:
    # "func (path/to/module.py:123)" → "func (module.py)"
    func, _, where = frame.partition(" (")
    return f"{func} ({Path(where.rstrip(')').rsplit(':', 1)[0]).name})" if where else func
