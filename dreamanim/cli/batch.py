"""`dreamanim batch`: its grammar (add_batch_parser) and its command (cmd_batch), a thin layer over batch/.

Exit code 0 when every job is done; else each failed job is one line on stderr
(`dreamanim: error: batch job NAME: where: what (fix)`) and the code is 2 if every failure is
the user's to fix, 1 if any was unexpected.
"""
import sys


def add_batch_parser(sub, positive) -> None:
    b = sub.add_parser("batch", help="render many jobs at once: presets, a preset over many inputs, or a sweep",
                       description="Render many jobs, each a normal render into its own folder under -o DIR "
                                   "named from what varies: several presets (or batch files: a YAML list of "
                                   "{preset, input, set}), each over --inputs, times every combination of the "
                                   "--sweep values. Jobs run in worker processes on this machine, or as Ray "
                                   "tasks with --ray. Writes DIR/batch.json and DIR/batch.sheet.png.",
                       epilog="Example: dreamanim batch presets/vertical_stretch.yaml -o sweep/ "
                              "--sweep dream.step_size=0.01,0.02 --frames 8. Clusters: docs/scale.md.")
    b.add_argument("presets", nargs="+", metavar="PRESET", help="a YAML preset, or a batch file (a YAML list)")
    b.add_argument("-o", "--output", default="batch", metavar="DIR", help="the batch's folder (default batch/)")
    b.add_argument("--inputs", nargs="+", default=[], metavar="GLOB",
                   help="render each preset over each of these images or videos (globs, e.g. 'photos/*.jpg')")
    b.add_argument("--sweep", action="append", default=[], metavar="KEY=V1,V2,...",
                   help="one job per value; several sweeps: every combination (repeatable)")
    b.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                   help="override a preset key in every job, as `render --set` (repeatable)")
    b.add_argument("--frames", type=int, metavar="N", help="number of frames of every job")
    b.add_argument("--seed", type=int, metavar="N", help="random seed of every job")
    b.add_argument("--resume", action="store_true",
                   help="skip the jobs batch.json says are done; continue the others from their saved frames")
    b.add_argument("--force", action="store_true", help="overwrite every job's existing outputs")
    b.add_argument("-q", "--quiet", action="store_true", help="no progress bar or summary")
    b.add_argument("--no-plugins", action="store_true",
                   help="refuse to run the presets' plugin files (a plugin is Python code)")
    b.add_argument("--workers", type=positive, metavar="N",
                   help="local worker processes (default: as many as the cores and memory allow)")
    b.add_argument("--ray", action="store_true",
                   help="run every job as a Ray task (also when RAY_ADDRESS is set): on that cluster, or a "
                        "local Ray; needs pip install 'dreamanim[ray]'")
    b.add_argument("--num-cpus", type=float, default=1, metavar="N", help="with Ray: CPUs per job (default 1)")
    b.add_argument("--num-gpus", type=float, default=0, metavar="N", help="with Ray: GPUs per job (default 0)")
    b.add_argument("--memory", type=float, metavar="GB", help="with Ray: memory per job, in GB (default: none asked)")


def cmd_batch(args) -> int:
    import os
    from ..api import overrides_for
    from ..batch import expand, run_batch
    sets = overrides_for(args.overrides, frames=args.frames, seed=args.seed)
    jobs = expand(args.presets, inputs=args.inputs, sweeps=args.sweep, sets=sets)
    result = run_batch(jobs, args.output, resume=args.resume, force=args.force,
                       plugins="never" if args.no_plugins else "load", workers=args.workers,
                       ray=args.ray or bool(os.environ.get("RAY_ADDRESS")), num_cpus=args.num_cpus,
                       num_gpus=args.num_gpus, memory=args.memory * 1024 ** 3 if args.memory else None,
                       progress=not args.quiet)
    for outcome in result.failed:
        sys.stderr.write(f"dreamanim: error: batch job {outcome['name']}: {outcome['error']}\n")
    if not args.quiet:
        done = len(result.outcomes) - len(result.failed)
        print(f"{done} of {len(result.outcomes)} jobs done in {result.seconds:.0f} s; wrote {result.report}"
              + (f", {result.sheet}" if result.sheet else ""))
    return result.exit_code
