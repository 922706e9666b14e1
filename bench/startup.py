"""Start-up time of the `sellerbot` command: the median wall time of `--help`, `--version`,
`orders today` and `check-reply` (a short draft on standard input), beside `python -c pass`,
each run as its own process, in the same run.

Target (issue 16): `sellerbot --help` under 0.3 s median.

    python bench/startup.py [--runs 15]
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_HELP = 0.3


def timed(command: list[str], env: dict[str, str], stdin: bytes | None = None) -> float:
    started = time.perf_counter()
    done = subprocess.run(command, env=env, input=stdin, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode not in (0, 1):  # check-reply exits 1 for a warning
        raise SystemExit(f"{command} failed: {done.stderr.decode()}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="sellerbot-startup-"))
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{folder / 'startup.db'}"}
    sellerbot = [sys.executable, "-m", "bot"]
    subprocess.run([*sellerbot, "demo"], env=env, cwd=folder, check=True,
                   stdout=subprocess.DEVNULL)
    cases = {
        "python -c pass": ([sys.executable, "-c", "pass"], None),
        "sellerbot --help": ([*sellerbot, "--help"], None),
        "sellerbot --version": ([*sellerbot, "--version"], None),
        "sellerbot orders today": ([*sellerbot, "orders", "today"], None),
        "sellerbot check-reply": ([*sellerbot, "check-reply"],
                                  b"Thanks for asking: the charger ships tomorrow."),
    }
    for command, stdin in cases.values():  # warm the operating system's file cache once
        timed(command, env, stdin)
    times: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(args.runs):  # interleaved, so a busy moment weighs on every case alike
        for name, (command, stdin) in cases.items():
            times[name].append(timed(command, env, stdin))
    for name, runs in times.items():
        print(f"{name:26} median {statistics.median(runs) * 1000:6.0f} ms"
              f"   (min {min(runs) * 1000:.0f}, max {max(runs) * 1000:.0f}, {len(runs)} runs)")
    help_median = statistics.median(times["sellerbot --help"])
    verdict = "met" if help_median < TARGET_HELP else "NOT met"
    print(f"target: sellerbot --help under {TARGET_HELP * 1000:.0f} ms median: {verdict}")


if __name__ == "__main__":
    main()
