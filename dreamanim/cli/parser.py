"""The command line's grammar: `dreamanim COMMAND ...` as argparse parsers, with every --help text.

build_parser() => the parser; a usage error is one line and exit 2, like every other bad input.
Only light modules are imported here: `dreamanim --help` stays fast.
"""
import argparse
import sys

EXIT_BAD_INPUT = 2  # as cli.py: a usage error is bad input


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, exit 2, like every other bad input
        sys.stderr.write(f"dreamanim: error: {message} (see `{self.prog} --help`)\n")
        sys.exit(EXIT_BAD_INPUT)


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="dreamanim", description="Render DeepDream animations from YAML presets.",
                epilog="Example: dreamanim render presets/vertical_stretch.yaml --frames 12 --set dream.steps=4")
    from .. import __version__
    p.add_argument("--version", action="version", version=f"dreamanim {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    r = sub.add_parser("render", help="render a preset to frames, GIF, MP4, WebM or WebP",
                       description="Dream the preset's input frame by frame (dream, save, transform, dream "
                                   "again ...) into OUTPUT.frames/, then write the preset's outputs "
                                   "(OUTPUT.gif, .mp4, .webm, .webp). " + UNTRUSTED,
                       epilog="Every preset key is documented in docs/presets.md.")
    r.add_argument("preset", metavar="PRESET", help="a YAML preset, e.g. presets/vertical_stretch.yaml")
    from ..outputs import FORMATS
    r.add_argument("-o", "--output", metavar="OUTPUT",
                   help="base path of the outputs (default: the preset's name, in the current folder); "
                        f"OUTPUT.EXT writes only that format ({', '.join(FORMATS)}); a folder (renders/, "
                        "with the slash, or an existing one such as .) holds them under the preset's name")
    r.add_argument("--frames", type=int, metavar="N", help="number of frames (same as --set frames=N)")
    r.add_argument("--seed", type=int, metavar="N", help="random seed (same as --set seed=N)")
    r.add_argument("--audio", metavar="FILE", help="a soundtrack (any sound file ffmpeg reads): its features "
                   "drive the expressions and the MP4 / WebM carry it (as `audio: FILE`; docs/audio.md); it sets "
                   "the number of frames, unless --frames is given too")
    r.add_argument("--device", type=_device, metavar="DEVICE",
                   help="where to compute: auto, cpu, gpu (the first) or gpu:N (same as --set device=DEVICE)")
    r.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                   help="override a preset key by its dotted path, e.g. --set dream.steps=5 "
                        "--set transform[0].stretch.amount=0.03 (repeatable)")
    r.add_argument("--resume", action="store_true",
                   help="continue an interrupted render at its first missing (or damaged) frame; the videos, sheet and "
                        "preset beside frames made with the same settings are written again from them")
    r.add_argument("--force", action="store_true",
                   help="overwrite existing outputs and start the frames over")
    r.add_argument("-q", "--quiet", action="store_true", help="no progress bars or summary")
    _no_plugins(r, "refuse to run the preset's plugin files: a preset whose transforms need one fails, naming it")
    from ..rendering.plan import DEFAULT_EVERY, PREVIEW_SIZE
    r.add_argument("--preview", nargs="?", type=_positive, const=DEFAULT_EVERY, metavar="K",
                   help=f"a quick look: dream only every K-th frame (default {DEFAULT_EVERY}) at most "
                        f"{PREVIEW_SIZE} px; the transforms still run for every frame in between, so it "
                        "moves like the full render. Writes OUTPUT.preview.gif, OUTPUT.preview.sheet.png "
                        "and OUTPUT.preview.frames/; never touches the full render's files")

    tr = sub.add_parser("transforms", help="list every transform with its parameters",
                        description="List every transform (built-in, from installed packages, and from the "
                                    "plugin .py files given) with its one-line doc and its parameters: "
                                    "name, type and default, exactly what a preset may set. A plugin file "
                                    "is Python code and runs when loaded: a preset's plugin files are "
                                    "named, not loaded; give a plugin file itself to list its transforms.",
                        epilog="Examples: dreamanim transforms examples/plugins/swirl.py  (check your "
                               "plugin file: this runs it);  dreamanim transforms examples/swirl.yaml  "
                               "(names the preset's plugin files, runs none). Writing a plugin: docs/plugins.md.")
    tr.add_argument("files", nargs="*", metavar="FILE",
                    help="a plugin .py file (imported: its code runs), or a preset (its plugin files are "
                         "named, not run) (repeatable)")
    _no_plugins(tr, "load no plugin file, not even one given as FILE (they are named instead)")
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
                                    "Nothing is dreamed and TensorFlow is not loaded: it takes a second. "
                                    "The preset's plugin files (Python code) are run only when a transform "
                                    "they define is in the preset: its schedules need its parameters.",
                        epilog="Example: dreamanim plot presets/keyframed_zoom.yaml -o kz.png. "
                               "Schedules: docs/schedules.md.")
    pl.add_argument("preset", metavar="PRESET", help="a YAML preset with at least one scheduled value")
    pl.add_argument("-o", "--output", metavar="CHART.png",
                    help="the PNG to write (default: PRESET_NAME.schedules.png in the current folder)")
    pl.add_argument("--frames", type=int, metavar="N", help="plot N frames (same as --set frames=N)")
    pl.add_argument("--audio", metavar="FILE", help="a soundtrack whose features the expressions read, as "
                    "`render --audio` (it sets the length unless --frames is given too)")
    pl.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                    help="override a preset key as `render --set` does, e.g. "
                         "--set 'transform[0].zoom.amount={0: 0.01, 60: 0.08}' (repeatable)")
    pl.add_argument("--force", action="store_true", help="overwrite an existing chart")
    _no_plugins(pl, "never run the preset's plugin files: a preset using a transform they define fails, naming them")
    sub.add_parser("models", help="list the models and which work offline",
                   description="List the models a preset may name with `model:`, and whether each works "
                               "offline (weights installed), is cached (Keras downloaded them earlier) or "
                               "downloads its weights on first use.", epilog="More in docs/models.md.")
    lay = sub.add_parser("layers", help="list the layers of a model a preset may dream on")
    lay.add_argument("model", metavar="MODEL")
    cls = sub.add_parser("classes", help="list or search the ImageNet class names `dream.classes` takes",
                         epilog="Example: dreamanim classes dog  (names match in any case; give several to a preset "
                         "as dream: {classes: {jellyfish: 1.0, volcano: 0.5}}; docs/objectives.md)")
    cls.add_argument("word", metavar="WORD", nargs="?", default="", help="show only classes one of whose names "
                     "contains it")
    _add_gallery_parser(sub)
    from .batch import add_batch_parser
    add_batch_parser(sub, _positive)
    from ..studio import command as studio
    st = sub.add_parser("studio", help="a local web page to watch and steer the dream live (docs/studio.md)",
                        description=studio.DESCRIPTION, epilog="More in docs/studio.md.")
    studio.add_arguments(st)
    return p


def _add_gallery_parser(sub) -> None:
    from ..rendering.gallery import ATLAS_COUNT, DEFAULT_SIZE, AtlasSettings, GallerySettings
    from ..engine.models.device import DEVICES
    g = sub.add_parser("gallery", help="dream one image once per layer, channel or class: a labelled sheet of looks",
                       description="Dream the same image once per layer, each layer alone, shallow to deep, "
                                   "and write one labelled contact sheet PNG (the input first). With --channels "
                                   "LAYER: an atlas, one small tile per channel of that layer (the strongest on "
                                   "the image first), each labelled with its number for `channels: {LAYER: [N]}`; "
                                   "with --classes: a tile per ImageNet class, labelled with its name.",
                       epilog="Examples: dreamanim gallery --model vgg16 --layers block3_conv3,block4_conv3 "
                              "-o vgg.png;  dreamanim gallery photo.jpg --channels block9_add --count 24;  "
                              "dreamanim gallery --classes pagoda goldfinch jellyfish (docs/objectives.md)")
    g.add_argument("image", nargs="?", metavar="IMAGE", help="the image to dream (default: presets/chelsea.png)")
    g.add_argument("--model", default="efficientnet_lite0", help="the model (default efficientnet_lite0; "
                   "`dreamanim models` lists them)")
    g.add_argument("--layers", metavar="A,B,...", help="comma-separated layer names (default: the model's "
                   "pick of interesting layers; `dreamanim layers MODEL` lists them all)")
    g.add_argument("--channels", metavar="LAYER", help="an atlas of LAYER's channels instead: a tile per channel, "
                   "labelled with its number")
    g.add_argument("--count", type=_count, default=0, metavar="N", help=f"--channels: the N strongest channels on the image "
                   f"(default {ATLAS_COUNT}), or `all` for every channel of the layer")
    g.add_argument("--classes", nargs="+", metavar="WORD", help="an atlas of ImageNet classes instead: a tile per "
                   "class (a name or number; `dreamanim classes WORD` searches them), labelled with it; give IMAGE "
                   "before it")
    g.add_argument("--size", type=_positive, metavar="PX",
                   help=f"longer side of each dreamed image (default {DEFAULT_SIZE}; an atlas's tiles "
                        f"{AtlasSettings.size})")
    g.add_argument("--steps", type=_positive, metavar="N",
                   help=f"steps per octave (default {GallerySettings.steps}; an atlas {AtlasSettings.steps})")
    g.add_argument("--octaves", type=_positive, metavar="N",
                   help=f"octaves (default {GallerySettings.octaves}; an atlas {AtlasSettings.octaves})")
    g.add_argument("--step-size", type=float, metavar="S", help="step size (default: the model's)")
    g.add_argument("--columns", type=_positive, metavar="C", help="cells per row (default: about square)")
    g.add_argument("--weights", metavar="PATH", help="a local weights file for the model (as `weights:` in a preset)")
    g.add_argument("--device", type=_device, default="auto", metavar="DEVICE",
                   help=f"where to compute: {', '.join(DEVICES)} (default auto: a GPU when TensorFlow sees one)")
    g.add_argument("-o", "--output", metavar="PNG", help="the sheet to write (default gallery_MODEL.png; an atlas gallery_MODEL_channels.png or "
                   "gallery_MODEL_classes.png)")
    g.add_argument("--force", action="store_true", help="overwrite an existing sheet")
    g.add_argument("-q", "--quiet", action="store_true", help="no progress bar")


UNTRUSTED = ("A preset with `plugins:` runs those Python files: treat it like a script, and "
             "read a downloaded one (or render it with --no-plugins) first.")


def _no_plugins(parser, text: str) -> None:
    parser.add_argument("--no-plugins", action="store_true",
                        help=f"{text} (a plugin is Python code that runs on your machine)")


def _device(text: str) -> str:
    from ..engine.models.device import device_name
    try:
        return device_name(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{exc}, got {text!r}") from None


def _count(text: str):
    """--count: a whole number >= 1, or `all` (None)."""
    return None if text.strip().lower() == "all" else _positive(text)


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number >= 1, got {text!r}")
    return value


def preview_value(argv: list[str]) -> list[str]:
    """`render --preview PRESET`: argparse would take PRESET as K; a bare --preview means the default K."""
    from ..rendering.plan import DEFAULT_EVERY
    out = list(argv)
    for i, arg in enumerate(out):
        if arg == "--preview" and not (i + 1 < len(out) and out[i + 1].isdigit()):
            out[i] = f"--preview={DEFAULT_EVERY}"
    return out


