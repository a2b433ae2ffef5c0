"""The command line: the only place that reads argv, prints for the user and picks exit codes.

0 done; 1 unexpected failure; 2 bad input (one line: `dreamanim: error: where: what (fix)`);
130 interrupted (the frames so far are kept; --resume continues).
"""
import argparse
import os
import sys
from pathlib import Path

from .errors import DreamanimError, PluginError

EXIT_OK, EXIT_FAILURE, EXIT_BAD_INPUT, EXIT_INTERRUPTED = 0, 1, 2, 130


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, exit 2, like every other bad input
        sys.stderr.write(f"dreamanim: error: {message} (see `{self.prog} --help`)\n")
        sys.exit(EXIT_BAD_INPUT)


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="dreamanim", description="Render DeepDream animations from YAML presets.",
                epilog="Example: dreamanim render presets/vertical_stretch.yaml --frames 12 --set dream.steps=4")
    from . import __version__
    p.add_argument("--version", action="version", version=f"dreamanim {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    r = sub.add_parser("render", help="render a preset to frames, GIF and MP4",
                       description="Dream the preset's input frame by frame (dream, save, transform, dream "
                                   "again ...) into OUTPUT.frames/, then write OUTPUT.gif and/or OUTPUT.mp4.",
                       epilog="Every preset key is documented in docs/presets.md.")
    r.add_argument("preset", metavar="PRESET", help="a YAML preset, e.g. presets/vertical_stretch.yaml")
    r.add_argument("-o", "--output", metavar="OUTPUT",
                   help="base path of the outputs (default: the preset's name, in the current folder); "
                        "OUTPUT.gif or OUTPUT.mp4 writes only that format")
    r.add_argument("--frames", type=int, metavar="N", help="number of frames (same as --set frames=N)")
    r.add_argument("--seed", type=int, metavar="N", help="random seed (same as --set seed=N)")
    r.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                   help="override a preset key by its dotted path, e.g. --set dream.steps=5 "
                        "--set transform[0].stretch.amount=0.03 (repeatable)")
    r.add_argument("--resume", action="store_true",
                   help="continue an interrupted render at its first missing frame")
    r.add_argument("--force", action="store_true",
                   help="overwrite existing outputs and start the frames over")
    r.add_argument("-q", "--quiet", action="store_true", help="no progress bars or summary")

    tr = sub.add_parser("transforms", help="list every transform with its parameters",
                        description="List every transform (built-in, from installed packages, and from the "
                                    "plugin files given) with its one-line doc and its parameters: "
                                    "name, type and default, exactly what a preset may set.",
                        epilog="Examples: dreamanim transforms examples/plugins/swirl.py  (check your "
                               "plugin file);  dreamanim transforms examples/swirl.yaml  (a preset's "
                               "plugins). Writing a plugin: docs/plugins.md.")
    tr.add_argument("files", nargs="*", metavar="FILE",
                    help="a plugin .py file, or a preset whose plugins: are loaded too (repeatable)")
    sub.add_parser("models", help="list the models")
    lay = sub.add_parser("layers", help="list the layers of a model a preset may dream on")
    lay.add_argument("model", metavar="MODEL")
    return p


def main(argv=None) -> int:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # TensorFlow's start-up chatter is not for users
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # --help, --version, or a usage error already reported in one line
        return exc.code
    if args.command is None:
        build_parser().print_help()
        return EXIT_BAD_INPUT
    try:
        if args.command in NEEDS_TENSORFLOW:
            import_tensorflow_quietly()
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


def cmd_render(args) -> int:
    from .config import load_preset
    from .loop import render
    overrides = list(args.overrides)
    overrides += [f"frames={args.frames}"] if args.frames is not None else []
    overrides += [f"seed={args.seed}"] if args.seed is not None else []
    base, only = output_base(args.output, args.preset)
    preset, folder = load_preset(args.preset, overrides)
    if args.output is None and preset.output:
        base = Path(preset.output)
    if only:  # -o name.gif: that format only, with the preset's settings for it if it has any
        preset = preset.model_copy(update={"outputs": preset.outputs.only(only)})
    bars = None
    if not args.quiet:
        from .progress import Bars
        bars = Bars()
    try:
        result = render(preset, folder, base, resume=args.resume, force=args.force, progress=bars)
    finally:
        if bars:
            bars.close()
    if not args.quiet:
        made = ", ".join(str(p) for p in result.outputs.values()) or "(no videos: outputs is empty)"
        per = f", {result.seconds / result.rendered:.1f} s/frame" if result.rendered else ""
        print(f"{result.frames} frames in {result.frames_folder}/ ({result.rendered} dreamed now"
              f"{per}); wrote {made}")
    return EXIT_OK


def output_base(output, preset_path) -> tuple[Path, str]:
    """(base path, the single format asked for by OUTPUT's suffix or '')."""
    if output is None:
        return Path(Path(preset_path).stem), ""
    path = Path(output)
    if path.suffix.lower() in (".gif", ".mp4"):
        return path.with_suffix(""), path.suffix.lower()[1:]
    return path, ""


def cmd_transforms(args) -> int:
    from . import registry
    from .config import load_plugins, plugin_files
    for name in args.files:
        path = Path(name)
        if path.suffix == ".py":
            if not path.is_file():
                raise PluginError(name, "plugin file not found",
                                  "give the path of a plugin .py file or of a preset")
            registry.load_plugin_file(path)
        else:
            load_plugins(plugin_files(path), name)
    for info in registry.all_transforms():
        origin = "" if info.origin == "built-in" else f"  [{info.origin} {info.source}]"
        print(f"{info.name:<14} {info.doc}{origin}")
        for p in info.params:
            print(f"    {p.name}: {p.type_name} = {p.default_text}")
    return EXIT_OK


def cmd_models(args) -> int:
    from .models import DEFAULT_MODEL, MODELS
    for name, spec in MODELS.items():
        tags = ["default"] if name == DEFAULT_MODEL else []
        tags.append("offline" if spec.offline else "downloads weights on first use")
        print(f"{name:<20} {spec.summary} [{', '.join(tags)}]")
    return EXIT_OK


def cmd_layers(args) -> int:
    from .models import default_layers, model_layers
    layers = model_layers(args.model)
    defaults = default_layers(args.model)
    print(f"{'layer':<20} {'channels':>8} {'stride':>6}")
    for layer in layers:
        mark = "  (default)" if layer.name in defaults else ""
        print(f"{layer.name:<20} {layer.channels:>8} {layer.stride:>6}{mark}")
    return EXIT_OK


NEEDS_TENSORFLOW = {"render", "layers"}
COMMANDS = {"render": cmd_render, "transforms": cmd_transforms, "models": cmd_models, "layers": cmd_layers}

if __name__ == "__main__":
    sys.exit(main())
