"""The command line: the only place that reads argv, prints for the user and picks exit codes.

0 done; 1 unexpected failure; 2 bad input (one line: `dreamanim: error: where: what (fix)`);
130 interrupted (the frames so far are kept; --resume continues).
"""
import os
import sys

from .cli_commands import COMMANDS, NEEDS_TENSORFLOW
from .cli_parser import build_parser, preview_value
from .errors import DreamanimError

EXIT_OK, EXIT_FAILURE, EXIT_BAD_INPUT, EXIT_INTERRUPTED = 0, 1, 2, 130


def main(argv=None) -> int:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # TensorFlow's start-up chatter is not for users
    try:
        args = build_parser().parse_args(preview_value(sys.argv[1:] if argv is None else list(argv)))
    except SystemExit as exc:  # --help, --version, or a usage error already reported in one line
        return exc.code
    if args.command is None:
        build_parser().print_help()
        return EXIT_BAD_INPUT
    try:
        if args.command in NEEDS_TENSORFLOW:
            import_tensorflow_quietly()
            if getattr(args, "quiet", False):  # Keras' own download messages included
                import keras
                keras.config.disable_interactive_logging()
        return COMMANDS[args.command](args)
    except DreamanimError as exc:
        sys.stderr.write(f"dreamanim: error: {exc.line()}\n")
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        sys.stderr.write("\ndreamanim: interrupted; the frames so far are kept (run again with --resume)\n")
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # `dreamanim layers vgg16 | head`: the reader has all it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
        return EXIT_OK
    except Exception as exc:  # a bug, not bad input: say so in one line; DREAMANIM_DEBUG=1 shows it all
        if os.environ.get("DREAMANIM_DEBUG"):
            raise
        sys.stderr.write(f"dreamanim: unexpected failure: {type(exc).__name__}: {exc} "
                         "(rerun with DREAMANIM_DEBUG=1 for details and please report it)\n")
        return EXIT_FAILURE


def import_tensorflow_quietly() -> None:
    """Import TensorFlow with file descriptor 2 pointed at /dev/null.

    Its C++ start-up lines (absl's pre-init warning, CUDA probing on a machine without a
    GPU) are written straight to fd 2 during the import, before TF_CPP_MIN_LOG_LEVEL or any
    Python logging setting is consulted. Errors still surface: as Python exceptions."""
    if "tensorflow" in sys.modules:
        return
    sys.stderr.flush()
    saved, devnull = os.dup(2), os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        import tensorflow  # noqa: F401
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


if __name__ == "__main__":
    sys.exit(main())
