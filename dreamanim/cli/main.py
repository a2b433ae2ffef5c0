"""The command line: the only place that reads argv, prints for the user and picks exit codes.

0 done; 1 unexpected failure; 2 bad input (one line: `dreamanim: error: where: what (fix)`);
130 interrupted by Ctrl-C or SIGTERM, at any moment (the frames so far are kept; --resume
continues); a signal after everything was written leaves the exit code as it was.
Only os, sys and cli_signals are imported before main's first line: everything else loads inside
it, where an interrupt is already the one-line message; a signal between this module's import and
main's try is held (cli_signals.hold_early) and raised inside it.
"""
import os
import select
import sys

from . import signals as cli_signals

EXIT_OK, EXIT_FAILURE, EXIT_BAD_INPUT, EXIT_INTERRUPTED = 0, 1, 2, 130


def main(argv=None) -> int:
    """argv None: run as the program (the console script), which also ignores signals once done."""
    try:  # (first: a signal held since this module's import is raised by install(), in here)
        cli_signals.install()  # SIGTERM like Ctrl-C; before any heavy import
        code = _main(argv)
    except KeyboardInterrupt:
        cli_signals.interrupted()
        code = EXIT_INTERRUPTED
        sys.stderr.write(f"\ndreamanim: interrupted; {_kept(argv)}\n")
    finally:
        cli_signals.restore(program=argv is None)
    return code


cli_signals.hold_early(main.__code__)  # a Ctrl-C between this import and main's try is not lost


def _kept(argv) -> str:
    argv = sys.argv[1:] if argv is None else list(argv)
    if "render" in argv:
        return "the frames so far are kept (run again with --resume)"
    if "batch" in argv:
        return "every worker stopped; the jobs' frames so far are kept (run the batch again with --resume)"
    if "studio" in argv:
        return ("the studio stopped; each job's frames are kept beside its preset (continue one with "
                "dreamanim render FOLDER/jobs/ID/KIND.yaml -o FOLDER/jobs/ID/KIND --resume)")
    return "nothing half-written was left behind"


def _main(argv) -> int:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # TensorFlow's start-up chatter is not for users
    from .commands import COMMANDS, NEEDS_TENSORFLOW
    from .parser import build_parser, preview_value
    from ..errors import DreamanimError
    try:
        args = build_parser().parse_args(preview_value(sys.argv[1:] if argv is None else list(argv)))
    except SystemExit as exc:  # --help, --version, or a usage error already reported in one line
        return exc.code
    if args.command is None:
        build_parser().print_help()
        return EXIT_BAD_INPUT
    try:
        if args.command in NEEDS_TENSORFLOW:
            from ..engine.backend import quiet_import
            quiet_import(progress=not getattr(args, "quiet", False))  # --quiet: Keras' download bars too
        return COMMANDS[args.command](args)
    except DreamanimError as exc:
        sys.stderr.write(f"dreamanim: error: {exc.line()}\n")
        return EXIT_BAD_INPUT
    except Exception as exc:
        if isinstance(exc, BrokenPipeError) and _stdout_closed():  # `dreamanim layers vgg16 | head`:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # the reader has all it wanted
            return EXIT_OK  # (and no second error at exit)
        if os.environ.get("DREAMANIM_DEBUG"):  # a bug, not bad input: one line; DREAMANIM_DEBUG=1 shows all
            raise
        sys.stderr.write(f"dreamanim: unexpected failure: {type(exc).__name__}: {exc} "
                         "(rerun with DREAMANIM_DEBUG=1 for details and please report it)\n")
        return EXIT_FAILURE


def _stdout_closed() -> bool:
    """Has the reader of our standard output gone (`| head` read all it wanted)? Then a
    BrokenPipeError is the normal end, not one of ffmpeg's pipes failing."""
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        return True
    try:  # a pipe whose reading end is closed polls as an error on its writing end
        poll = select.poll()
        poll.register(sys.stdout.fileno(), select.POLLOUT)
        return any(events & (select.POLLERR | select.POLLHUP) for _, events in poll.poll(0))
    except (OSError, ValueError, AttributeError):  # not a real file, or no poll() on this system
        return False


if __name__ == "__main__":
    sys.exit(main())
