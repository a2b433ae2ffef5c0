"""The commands behind `dreamanim COMMAND`: each takes the parsed arguments and returns an exit code.

They are thin: each turns its arguments into a call of the library (config, plan, loop,
contact sheet, gallery, registry, models) and prints what the user asked to see.
"""
import sys
from pathlib import Path

from .signals import settle
from ..errors import PluginError

EXIT_OK = 0


def cmd_render(args) -> int:
    from ..api import render
    if args.quiet:  # Keras' download bars too, once TensorFlow is imported (after the preset is checked)
        from ..engine.backend import hide_progress
        hide_progress()
    bars = None
    if not args.quiet:
        from ..rendering.progress import Bars
        bars = Bars()
    try:
        result = render(args.preset, args.output, frames=args.frames, seed=args.seed, audio=args.audio,
                        overrides=args.overrides + ([f"device={args.device}"] if args.device else []), resume=args.resume, force=args.force, progress=bars or False, preview=args.preview,
                        plugins="never" if args.no_plugins else "load",
                        on_note=lambda text: sys.stderr.write(f"dreamanim: note: {text}\n"))
    finally:
        if bars:
            bars.close()
    settle()  # every file is written: a Ctrl-C from now on leaves exit code 0
    if not args.quiet:
        made = ", ".join(str(p) for p in result.outputs.values())
        per = f", {result.seconds / result.rendered:.1f} s/frame" if result.rendered else ""
        preset = result.preset
        seam = (f"; loop jump {result.loop_jump:.1f} (typical step {result.loop_step:.1f})"
                if preset.loop == "seamless" and result.loop_jump is not None else "")
        print(f"{result.frames} frames in {result.frames_folder}/ ({result.rendered} dreamed now"
              f"{per}); wrote {made}{seam}")
    return EXIT_OK


def cmd_sheet(args) -> int:
    from ..rendering.contact_sheet import sheet_for
    from ..rendering.sidecar import PNG_KEY
    from ..rendering.store import frames_folder, provenance_of
    from ..common.writers import check_free, write_png
    base = sheet_source(args.render_output)
    # Not OUTPUT.sheet.png: the render wrote that one, and it is never replaced without --force.
    out = Path(args.output) if args.output else base.with_name(f"{base.name}.sheet-{args.count}.png")
    check_free([out], args.force)
    sheet = sheet_for(frames_folder(base), args.count, columns=args.columns)
    made = provenance_of(frames_folder(base))  # how the frames were made goes on the sheet too
    write_png(out, sheet, text={PNG_KEY: made} if made else {})
    settle()
    print(f"wrote {out} ({sheet.width}x{sheet.height})")
    return EXIT_OK


def sheet_source(output: str) -> Path:
    """The base path of a render from its base path, frames folder, or video."""
    from ..errors import InputError
    from ..rendering.store import frames_folder
    from ..outputs import FORMATS
    path = Path(output)
    if path.suffix.lower()[1:] in FORMATS or path.suffix == ".frames":
        path = path.with_suffix("")
    if not frames_folder(path).is_dir():
        raise InputError(output, f"no frames folder {frames_folder(path)}",
                         "give the OUTPUT of a render (its base path, .frames folder or video); "
                         "the sheet is made from the saved frames")
    return path


def cmd_plot(args) -> int:
    from ..api import audio_notes, overrides_for
    from ..preset import load_preset
    from ..rendering.plot import write_chart
    overrides = overrides_for(args.overrides, frames=args.frames, audio=args.audio)
    # Layer names need TensorFlow; plugin files (Python code) load only for a transform they define.
    preset = load_preset(args.preset, overrides, check_model=False,
                         plugins="never" if args.no_plugins else "needed")
    out = Path(args.output) if args.output else Path(f"{Path(args.preset).stem}.schedules.png")
    for text in audio_notes(preset):
        sys.stderr.write(f"dreamanim: note: {text}\n")
    panels = write_chart(preset, out, force=args.force, where=args.preset)
    settle()
    print(f"wrote {out} ({panels} scheduled value(s) over {preset.frames} frames)")
    return EXIT_OK


def cmd_transforms(args) -> int:
    """Built-ins, installed packages' and the plugin FILEs' transforms. A preset's plugin files are
    named, not imported: they are code, and listing must not run what a downloaded preset names."""
    from ..motion import registry
    from ..preset import plugin_files
    not_loaded = []  # (file, why)
    for name in args.files:
        path = Path(name)
        if path.is_dir():
            raise PluginError(name, "is a folder", "give a plugin .py file or a preset")
        if path.suffix in (".pyc", ".pyo", ".so", ".pyd"):
            raise PluginError(name, "is not a Python source file", "give the plugin's .py file")
        if path.suffix == ".py":
            if args.no_plugins:
                not_loaded.append((path, "--no-plugins"))
                continue
            if not path.is_file():
                raise PluginError(name, "plugin file not found" if not path.exists() else "is not a file",
                                  "give the path of a plugin .py file or of a preset")
            registry.load_plugin_file(path)
        else:
            not_loaded += [(file, f"a plugin of {name}") for file in plugin_files(path)]
    for info in registry.all_transforms():
        origin = "" if info.origin == "built-in" else f"  [{info.origin} {info.source}]"
        print(f"{info.name:<14} {info.doc}{origin}")
        for p in info.params:
            print(f"    {p.name}: {p.type_name} = {p.default_text}")
    if not_loaded:
        print("\nNot loaded (a plugin file is Python code: it runs when loaded, so read it first):")
        for file, why in not_loaded:
            print(f"    {file}  ({why}; list its transforms with `dreamanim transforms {file}`)")
    return EXIT_OK


def cmd_models(args) -> int:
    from ..engine.models import DEFAULT_MODEL, MODELS, availability
    print(f"{'model':<20} {'offline':<7}  about")
    for name, entry in MODELS.items():
        offline = availability(name)
        notes = ["default"] if name == DEFAULT_MODEL else []
        if offline == "no":
            notes.append(f"downloads about {entry.keras.download_mb} MB of weights once, on first use")
        more = f" [{'; '.join(notes)}]" if notes else ""
        print(f"{name:<20} {offline:<7}  {entry.summary}{more}")
    print("\noffline: yes = weights installed with dreamanim; cached = downloaded earlier (into Keras' cache); "
          "no = needs the network once.\nAny model also takes a local weights file: `weights: PATH` "
          "in a preset (docs/models.md).")
    return EXIT_OK


def cmd_gallery(args) -> int:
    from ..rendering.gallery import GallerySettings, dream_gallery, gallery_layers, sample_image
    from ..engine.models import check_weights_file, model_entry
    from ..engine.models.device import check_device
    from ..source.pixels import load_image
    from ..common.writers import check_free
    atlas = _atlas_kind(args)
    model_entry(args.model)  # an unknown model is named before anything else
    image = Path(args.image) if args.image else sample_image()
    out = Path(args.output or f"gallery_{args.model}{'_' + atlas if atlas else ''}.png")
    weights = Path(args.weights) if args.weights else None
    check_weights_file(args.model, weights, f"--weights {args.weights}")
    check_device(args.device, "--device")
    if atlas:
        return _atlas(args, atlas, image, out, weights)
    layers = gallery_layers(args.model, [n.strip() for n in args.layers.split(",") if n.strip()]
                            if args.layers else None)
    settings = GallerySettings(**_given(args, GallerySettings))
    frame = load_image(image, settings.size, where="IMAGE", fix="give a PNG or JPEG file, or no IMAGE for the sample photo")
    check_free([out], args.force)  # after every input check: the real problem is named first
    return _dream_sheet(args, out, len(layers), f"{args.model} layers", "layer",
                        lambda tick: dream_gallery(frame, args.model, layers, settings, weights=weights,
                                                   device=args.device, on_layer=tick),
                        f"{len(layers)} layers of {args.model}")


def _dream_sheet(args, out, total: int, desc: str, unit: str, dream, what: str) -> int:
    """A gallery's or an atlas's cells dreamed under a progress bar (dream(tick) => pairs, tick(label)
    after each cell), then written as one labelled sheet."""
    from ..rendering.gallery import gallery_sheet
    from ..common.writers import write_png
    bar = None
    if not args.quiet:
        from tqdm import tqdm
        bar = tqdm(total=total, desc=desc, unit=unit, dynamic_ncols=True)
    try:
        pairs = dream(lambda label: bar and (bar.set_postfix_str(label, refresh=False), bar.update(1)))
    finally:
        if bar:
            bar.close()
    sheet = gallery_sheet(pairs, columns=args.columns)
    write_png(out, sheet)
    settle()
    if not args.quiet:
        print(f"wrote {out} ({sheet.width}x{sheet.height}, {what})")
    return EXIT_OK


def _atlas_kind(args):
    """None (a layer gallery), "channels" or "classes"; a mix of the three is a usage error."""
    from ..errors import InputError
    kinds = [flag for flag, value in (("--layers", args.layers), ("--channels", args.channels),
                                      ("--classes", args.classes)) if value]
    if len(kinds) > 1:
        raise InputError(" ".join(kinds), "a sheet shows layers, one layer's channels or classes, not two of them",
                         "give one of --layers, --channels LAYER, --classes WORD...")
    if args.count != 0 and not args.channels:  # (0: not given; None: all)
        raise InputError("--count", "counts the channels of an atlas", "give --channels LAYER with it")
    return kinds[0][2:] if kinds and kinds[0] != "--layers" else None


def _given(args, settings) -> dict:
    """The --size, --steps, --octaves and --step-size given (the rest: the settings' own defaults)."""
    given = dict(size=args.size, steps=args.steps, octaves=args.octaves, step_size=args.step_size)
    return {k: v for k, v in given.items() if v is not None}


def _atlas(args, kind: str, image: Path, out: Path, weights) -> int:
    """`gallery --channels LAYER [--count N|all]` or `gallery --classes WORD...`: one tile per channel or class."""
    from ..rendering.gallery import (ATLAS_COUNT, AtlasSettings, atlas_channels, dream_channel_atlas,
                                     dream_class_atlas)
    from ..engine.models import check_layer, model_entry, model_layers
    from ..errors import InputError
    from ..source.pixels import load_image
    from ..common.writers import check_free
    settings = AtlasSettings(**_given(args, AtlasSettings))
    if kind == "channels":
        layer = args.channels
        check_layer(args.model, layer, f"--channels {layer}")
        channels = next(info.channels for info in model_layers(args.model) if info.name == layer)
        count = ATLAS_COUNT if args.count == 0 else args.count
        if count is not None and count > channels:
            raise InputError(f"--count {count}", f"{layer} has {channels} channels",
                             f"ask for at most {channels}, or --count all")
    else:
        from ..engine.models.classes import check_classes
        if not model_entry(args.model).classifier:
            raise InputError("--classes", f"{args.model} has no classifier head here, so it cannot dream classes",
                             "use --model efficientnet_lite0 (or lite1, lite2)")
        check_classes({word: 1.0 for word in args.classes}, "--classes")
    frame = load_image(image, settings.size, where="IMAGE", fix="give a PNG or JPEG file, or no IMAGE for the sample photo")
    check_free([out], args.force)  # after every input check: the real problem is named first
    common = dict(weights=weights, device=args.device)
    if kind == "channels":
        picked = atlas_channels(frame, args.model, layer, count, reduce=settings.reduce, **common)
        what, tiles = f"{layer} channels", picked
    else:
        what, tiles = "classes", list(dict.fromkeys(args.classes))
    return _dream_sheet(args, out, len(tiles), what, "tile",
                        lambda tick: (dream_channel_atlas(frame, args.model, layer, tiles, settings, on_tile=tick, **common)
                                      if kind == "channels" else
                                      dream_class_atlas(frame, args.model, tiles, settings, on_tile=tick, **common)),
                        f"{len(tiles)} {what} of {args.model}")


def cmd_layers(args) -> int:
    from ..engine.models import default_layers, model_layers
    layers = model_layers(args.model)
    defaults = default_layers(args.model)
    width = max([20] + [len(layer.name) + 1 for layer in layers])  # Inception's branch names run long
    print(f"{'layer':<{width}} {'channels':>8} {'stride':>6}")
    for layer in layers:
        mark = "  (default)" if layer.name in defaults else ""
        print(f"{layer.name:<{width}} {layer.channels:>8} {layer.stride:>6}{mark}")
    return EXIT_OK


def cmd_classes(args) -> int:
    from ..engine.models.classes import search
    from ..errors import InputError
    found = search(args.word)
    if not found:
        raise InputError("classes", f"no ImageNet class name contains {args.word!r}",
                          "try a shorter or more general word (dog, bird, tower), or none to list all 1000")
    for number, names in found:
        print(f"{number:>4}  {' | '.join(names)}")
    return EXIT_OK


# Imported (quietly) before the command runs. Not render: its preset is checked first, without
# TensorFlow, so a mistake in it is reported at once; the engine imports it (quietly) when needed.
NEEDS_TENSORFLOW = {"layers", "gallery", "studio"}  # (studio: its model loads as it starts)
COMMANDS = {"render": cmd_render, "sheet": cmd_sheet, "plot": cmd_plot, "transforms": cmd_transforms,
            "models": cmd_models, "layers": cmd_layers, "gallery": cmd_gallery, "classes": cmd_classes}
from .batch import cmd_batch  # noqa: E402  (its own module: grammar and command together)
COMMANDS["batch"] = cmd_batch


def cmd_studio(args) -> int:
    from ..studio.command import run
    return run(args)


COMMANDS["studio"] = cmd_studio
