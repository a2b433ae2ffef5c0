"""How long a mistake in a preset takes to be reported: `dreamanim render PRESET --set dream.setps=3`
(a typo) run as a fresh process, several times, and whether TensorFlow, Keras or SciPy was loaded.

    .venv/bin/python benchmarks/preset_error.py [--repeat 5] [--preset presets/vertical_stretch.yaml]
                                                [--set dream.setps=3] [--tree PATH]

--tree runs the dreamanim of another checkout (e.g. an exported older commit) for a before/after.
Prints one JSON object: the settings, each run's seconds, the median, the exit code, the error line,
the heavy libraries imported, and the machine's load average (the times move with it).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROBE = ("import sys; from dreamanim.cli.main import main; code = main(sys.argv[1:]); "
         "heavy = sorted({m.split('.')[0] for m in sys.modules} & {'tensorflow', 'keras', 'scipy'}); "
         "print('HEAVY', ','.join(heavy)); sys.exit(code)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--preset", default=str(ROOT / "presets" / "vertical_stretch.yaml"))
    ap.add_argument("--set", dest="override", default="dream.setps=3")
    ap.add_argument("--tree", default=str(ROOT), help="the checkout whose dreamanim runs (default this one)")
    args = ap.parse_args()
    env = {**os.environ, "PYTHONPATH": args.tree}
    command = ["render", args.preset, "--set", args.override]
    seconds, heavy, code, line = [], "", None, ""
    for _ in range(args.repeat):
        started = time.perf_counter()
        run = subprocess.run([sys.executable, "-c", PROBE, *command], env=env, cwd=args.tree, capture_output=True,
                             text=True)
        seconds.append(round(time.perf_counter() - started, 3))
        heavy = run.stdout.split("HEAVY", 1)[-1].strip()
        code, line = run.returncode, run.stderr.strip()
    print(json.dumps({"settings": {"command": ["dreamanim", *command], "repeat": args.repeat, "tree": args.tree,
                                   "cores": len(os.sched_getaffinity(0)), "load_average": os.getloadavg()},
                      "seconds": seconds, "median_seconds": statistics.median(seconds), "exit_code": code,
                      "error": line, "heavy_imports": heavy.split(",") if heavy else []}, indent=2))


if __name__ == "__main__":
    main()
