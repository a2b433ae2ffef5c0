"""The command line: the only place that reads argv, prints for the user and picks exit codes.

0 done; 1 unexpected failure; 2 bad input (one line: `dreamanim: error: where: what (fix)`);
130 interrupted (the frames so far are kept; --resume continues).
"""
import argparse
import os
import sys
from pathlib import Path
from typing import Optional

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

    r = sub.add_parser("render", help="render a preset to frames, GIF, MP4, WebM or WebP",
                       description="Dream the preset's input frame by frame (dream, save, transform, dream "
                                   "again ...) into OUTPUT.frames/, then write the preset's outputs "
                                   "(OUTPUT.gif, .mp4, .webm, .webp).",
                       epilog="Every preset key is documented in docs/presets.md.")
    r.add_argument("preset", metavar="PRESET", help="a YAML preset, e.g. presets/vertical_stretch.yaml")
    from .outputs import FORMATS
    r.add_argument("-o", "--output", metavar="OUTPUT",
                   help="base path of the outputs (default: the preset's name, in the current folder); "
                        f"OUTPUT.EXT writes only that format ({', '.join(FORMATS)})")
    r.add_argument("--frames", type=int, metavar="N", help="number of frames (same as --set frames=N)")
    r.add_argument("--seed", type=int, metavar="N", help="random seed (same as --set seed=N)")
    r.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                   help="override a preset key by its dotted path, e.g. --set dream.steps=5 "
                        "--set transform[0].stretch.amount=0.03 (repeatable)")
    r.add_argument("--resume", action="store_true",
                   help="continue an interrupted render at its first missing frame; the videos, sheet and "
                        "preset beside frames made with the same settings are written again from them")
    r.add_argument("--force", action="store_true",
                   help="overwrite existing outputs and start the frames over")
    r.add_argument("-q", "--quiet", action="store_true", help="no progress bars or summary")
    from .plan import DEFAULT_EVERY, PREVIEW_SIZE
    r.add_argument("--preview", nargs="?", type=_positive, const=DEFAULT_EVERY, metavar="K",
                   help=f"a quick look: dream only every K-th frame (default {DEFAULT_EVERY}) at most "
                        f"{PREVIEW_SIZE} px; the transforms still run for every frame in between, so it "
                        "moves like the full render. Writes OUTPUT.preview.gif, OUTPUT.preview.sheet.png "
                        "and OUTPUT.preview.frames/; never touches the full render's files")

    tr = sub.add_parser("transforms", help="list every transform with its parameters",
                        description="List every transform (built-in, from installed packages, and from the "
                                    "plugin files given) with its one-line doc and its parameters: "
                                    "name, type and default, exactly what a preset may set.",
                        epilog="Examples: dreamanim transforms examples/plugins/swirl.py  (check your "
                               "plugin file);  dreamanim transforms examples/swirl.yaml  (a preset's "
                               "plugins). Writing a plugin: docs/plugins.md.")
    tr.add_argument("files", nargs="*", metavar="FILE",
                    help="a plugin .py file, or a preset whose plugins: are loaded too (repeatable)")
    sh = sub.add_parser("sheet", help="write a contact sheet PNG of a render's frames",
                        description="Write a contact sheet: frames picked evenly across the animation "
                                    "(first and last included), each labelled with its frame number. "
                                    "`render` writes one (OUTPUT.sheet.png) by itself; this makes another, "
                                    "e.g. with more frames, named after its frame count so it never collides "
                                    "with the render's own.",
                        epilog="Example: dreamanim sheet renders/cat --count 24 --columns 6  "
                               "(writes renders/cat.sheet-24.png)")
    sh.add_argument("render_output", metavar="OUTPUT",
                    help="what a render wrote: its base path (renders/cat), its frames folder "
                         "(renders/cat.frames) or its video (renders/cat.gif)")
    sh.add_argument("-o", "--output", metavar="SHEET",
                    help="the PNG to write (default: OUTPUT.sheet-N.png, N the --count)")
    sh.add_argument("--count", type=_positive, default=12, metavar="N", help="frames on the sheet (default 12)")
    sh.add_argument("--columns", type=_positive, metavar="C", help="frames per row (default: about square)")
    sh.add_argument("--force", action="store_true", help="overwrite an existing sheet")
    pl = sub.add_parser("plot", help="draw a preset's scheduled values over the frames (PNG)",
                        description="Write a PNG chart with one panel per scheduled value of the preset "
                                    "(a keyframed or expression value such as transform[0].zoom.amount): "
                                    "the value the render uses at each frame t, keyframes as dots. "
                                    "Nothing is dreamed and TensorFlow is not loaded: it takes a second.",
                        epilog="Example: dreamanim plot presets/keyframed_zoom.yaml -o kz.png. "
                               "Schedules: docs/schedules.md.")
    pl.add_argument("preset", metavar="PRESET", help="a YAML preset with at least one scheduled value")
    pl.add_argument("-o", "--output", metavar="CHART.png",
                    help="the PNG to write (default: PRESET_NAME.schedules.png in the current folder)")
    pl.add_argument("--frames", type=int, metavar="N", help="plot N frames (same as --set frames=N)")
    pl.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                    help="override a preset key as `render --set` does, e.g. "
                         "--set 'transform[0].zoom.amount={0: 0.01, 60: 0.08}' (repeatable)")
    pl.add_argument("--force", action="store_true", help="overwrite an existing chart")
    sub.add_parser("models", help="list the models and which work offline",
                   description="List the models a preset may name with `model:`, and whether each works "
                               "offline (weights installed), is cached (Keras downloaded them earlier) or "
                               "downloads its weights on first use.", epilog="More in docs/models.md.")
    lay = sub.add_parser("layers", help="list the layers of a model a preset may dream on")
    lay.add_argument("model", metavar="MODEL")
    _add_gallery_parser(sub)
    return p


def _add_gallery_parser(sub) -> None:
    from .gallery import DEFAULT_SIZE, GallerySettings
    from .models.device import DEVICES
    g = sub.add_parser("gallery", help="dream one image once per layer: a labelled sheet of what each layer learned",
                       description="Dream the same image once per layer, each layer alone, shallow to deep, "
                                   "and write one labelled contact sheet PNG (the input first).",
                       epilog="Example: dreamanim gallery --model vgg16 --layers block3_conv3,block4_conv3 "
                              "-o vgg.png")
    g.add_argument("image", nargs="?", metavar="IMAGE", help="the image to dream (default: presets/chelsea.png)")
    g.add_argument("--model", default="efficientnet_lite0", help="the model (default efficientnet_lite0; "
                   "`dreamanim models` lists them)")
    g.add_argument("--layers", metavar="A,B,...", help="comma-separated layer names (default: the model's "
                   "pick of interesting layers; `dreamanim layers MODEL` lists them all)")
    g.add_argument("--size", type=_positive, default=DEFAULT_SIZE, metavar="PX",
                   help=f"longer side of each dreamed image (default {DEFAULT_SIZE})")
    g.add_argument("--steps", type=_positive, default=GallerySettings.steps, metavar="N",
                   help=f"steps per octave (default {GallerySettings.steps})")
    g.add_argument("--octaves", type=_positive, default=GallerySettings.octaves, metavar="N",
                   help=f"octaves (default {GallerySettings.octaves})")
    g.add_argument("--step-size", type=float, metavar="S", help="step size (default: the model's)")
    g.add_argument("--columns", type=_positive, metavar="C", help="cells per row (default: about square)")
    g.add_argument("--weights", metavar="PATH", help="a local weights file for the model (as `weights:` in a preset)")
    g.add_argument("--device", choices=DEVICES, default="auto",
                   help="where to compute (default auto: a GPU when TensorFlow sees one)")
    g.add_argument("-o", "--output", metavar="PNG", help="the sheet to write (default gallery_MODEL.png)")
    g.add_argument("--force", action="store_true", help="overwrite an existing sheet")
    g.add_argument("-q", "--quiet", action="store_true", help="no progress bar")


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number >= 1, got {text!r}")
    return value


def _preview_value(argv: list[str]) -> list[str]:
    """`render --preview PRESET`: argparse would take PRESET as K; a bare --preview means the default K."""
    from .plan import DEFAULT_EVERY
    out = list(argv)
    for i, arg in enumerate(out):
        if arg == "--preview" and not (i + 1 < len(out) and out[i + 1].isdigit()):
            out[i] = f"--preview={DEFAULT_EVERY}"
    return out


def main(argv=None) -> int:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # TensorFlow's start-up chatter is not for users
    try:
        args = build_parser().parse_args(_preview_value(sys.argv[1:] if argv is None else list(argv)))
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


def cmd_render(args) -> int:
    from .config import load_preset
    from .loop import render
    from .plan import Plan
    overrides = list(args.overrides)
    overrides += [f"frames={args.frames}"] if args.frames is not None else []
    overrides += [f"seed={args.seed}"] if args.seed is not None else []
    base, only = output_base(args.output, args.preset)
    preset = load_preset(args.preset, overrides)
    if args.output is None and preset.output:
        base = Path(preset.output)
    if only:  # -o name.gif: that format only, with the preset's settings for it if it has any
        preset = preset.model_copy(update={"outputs": preset.outputs.only(only)})
    plan = Plan(preset, every=args.preview or 1)
    if plan.preview:  # its own files beside the full render's: <base>.preview.*
        base = base.with_name(base.name + ".preview")
    bars = None
    if not args.quiet:
        from .progress import Bars
        bars = Bars()
    try:
        result = render(plan, base, resume=args.resume, force=args.force, progress=bars)
    finally:
        if bars:
            bars.close()
    if not args.quiet:
        made = ", ".join(str(p) for p in result.outputs.values())
        per = f", {result.seconds / result.rendered:.1f} s/frame" if result.rendered else ""
        seam = (f"; loop jump {result.loop_jump:.1f} (typical step {result.loop_step:.1f})"
                if preset.loop == "seamless" and result.loop_jump is not None else "")
        print(f"{result.frames} frames in {result.frames_folder}/ ({result.rendered} dreamed now"
              f"{per}); wrote {made}{seam}")
    return EXIT_OK


def output_base(output, preset_path) -> tuple[Path, Optional[str]]:
    """(base path, the single format OUTPUT's extension asks for, or None: the preset's formats)."""
    from .outputs import format_of
    if output is None:
        return Path(Path(preset_path).stem), None
    path = Path(output)
    only = format_of(path)
    return (path.with_suffix("") if only else path), only


def cmd_sheet(args) -> int:
    from .contact_sheet import sheet_for
    from .sidecar import PNG_KEY
    from .store import frames_folder, provenance_of
    from .writers import check_free, write_png
    base = sheet_source(args.render_output)
    # Not OUTPUT.sheet.png: the render wrote that one, and it is never replaced without --force.
    out = Path(args.output) if args.output else base.with_name(f"{base.name}.sheet-{args.count}.png")
    check_free([out], args.force)
    sheet = sheet_for(frames_folder(base), args.count, columns=args.columns)
    made = provenance_of(frames_folder(base))  # how the frames were made goes on the sheet too
    write_png(out, sheet, text={PNG_KEY: made} if made else {})
    print(f"wrote {out} ({sheet.width}x{sheet.height})")
    return EXIT_OK


def sheet_source(output: str) -> Path:
    """The base path of a render from its base path, frames folder, or video."""
    from .errors import InputError
    from .store import frames_folder
    from .outputs import FORMATS
    path = Path(output)
    if path.suffix.lower()[1:] in FORMATS or path.suffix == ".frames":
        path = path.with_suffix("")
    if not frames_folder(path).is_dir():
        raise InputError(output, f"no frames folder {frames_folder(path)}",
                         "give the OUTPUT of a render (its base path, .frames folder or video); "
                         "the sheet is made from the saved frames")
    return path


def cmd_plot(args) -> int:
    from .config import load_preset
    from .plot import write_chart
    overrides = list(args.overrides) + ([f"frames={args.frames}"] if args.frames is not None else [])
    preset = load_preset(args.preset, overrides, check_model=False)  # layer names need TensorFlow
    out = Path(args.output) if args.output else Path(f"{Path(args.preset).stem}.schedules.png")
    panels = write_chart(preset, out, force=args.force, where=args.preset)
    print(f"wrote {out} ({panels} scheduled value(s) over {preset.frames} frames)")
    return EXIT_OK


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
    from .models import DEFAULT_MODEL, MODELS, availability
    print(f"{'model':<20} {'offline':<7}  about")
    for name, entry in MODELS.items():
        offline = availability(name)
        notes = ["default"] if name == DEFAULT_MODEL else []
        if offline == "no":
            notes.append(f"Keras downloads {entry.keras.download_mb} MB of weights on first use")
        more = f" [{'; '.join(notes)}]" if notes else ""
        print(f"{name:<20} {offline:<7}  {entry.summary}{more}")
    print("\noffline: yes = weights installed with dreamanim; cached = downloaded by Keras earlier; "
          "no = needs the network once.\nAny model also takes a local weights file: `weights: PATH` "
          "in a preset (docs/models.md).")
    return EXIT_OK


def cmd_gallery(args) -> int:
    from .gallery import GallerySettings, dream_gallery, gallery_layers, gallery_sheet, sample_image
    from .models import check_weights_file, model_entry
    from .models.device import check_device
    from .sources import load_image
    from .writers import check_free, write_png
    model_entry(args.model)  # an unknown model is named before anything else
    image = Path(args.image) if args.image else sample_image()
    out = Path(args.output or f"gallery_{args.model}.png")
    weights = Path(args.weights) if args.weights else None
    check_weights_file(args.model, weights, f"--weights {args.weights}")
    check_device(args.device, "--device")
    layers = gallery_layers(args.model, [n.strip() for n in args.layers.split(",") if n.strip()]
                            if args.layers else None)
    frame = load_image(image, args.size, where="IMAGE", fix="give a PNG or JPEG file, or no IMAGE for the sample photo")
    check_free([out], args.force)  # after every input check: the real problem is named first
    settings = GallerySettings(size=args.size, steps=args.steps, octaves=args.octaves, step_size=args.step_size)
    bar = None
    if not args.quiet:
        from tqdm import tqdm
        bar = tqdm(total=len(layers), desc=f"{args.model} layers", unit="layer", dynamic_ncols=True)
    try:
        pairs = dream_gallery(frame, args.model, layers, settings, weights=weights, device=args.device,
                              on_layer=lambda name: bar and (bar.set_postfix_str(name, refresh=False), bar.update(1)))
    finally:
        if bar:
            bar.close()
    sheet = gallery_sheet(pairs, columns=args.columns)
    write_png(out, sheet)
    if not args.quiet:
        print(f"wrote {out} ({sheet.width}x{sheet.height}, {len(layers)} layers of {args.model})")
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


NEEDS_TENSORFLOW = {"render", "layers", "gallery"}
COMMANDS = {"render": cmd_render, "sheet": cmd_sheet, "plot": cmd_plot, "transforms": cmd_transforms,
            "models": cmd_models, "layers": cmd_layers, "gallery": cmd_gallery}

if __name__ == "__main__":
    sys.exit(main())
