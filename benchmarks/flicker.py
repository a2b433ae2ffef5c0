"""Steadiness of a dreamed clip per `coherence` mode, and what a video render costs.

For each mode (none, blend, flow) at equal dream settings, renders the clip and prints one JSON
line with
    warping_error   mean |out_t - out_{t-1} warped by the SOURCE flow| inside the consistency
                    mask, 0..255 (the video-consistency papers' measure: lower = steadier)
    strength        mean |out - source|, 0..255 (so "dream less" cannot pass for "flicker less")
    s_per_frame     wall seconds per frame of the render (model load and tracing included once)
    peak_rss_mb     the process's peak memory by the end of the render
With --speed it instead renders --frames frames of a clip scaled to --width (e.g. 1280x720)
with the flow mode (at --cadence) and prints the seconds per frame, timed from the frames' files
with the first (tracing) frames left out, and its split: decode, flow, dream, write; with --memory it renders the clip once and then
four times as long (the clip looped) and prints the peak RSS of each run (a stream: flat).

    python benchmarks/flicker.py --clip presets/clip.mp4 --size 320 --frames 24
    python benchmarks/flicker.py --hard --frames 0 --modes none,flow,flow/2,flow/3
    python benchmarks/flicker.py --speed --width 1280 --frames 12 [--cadence 2]
"""
import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np
import yaml

REPO = Path(__file__).resolve().parents[1]


def preset(clip: Path, size: int, frames: int, mode: str, extra: dict) -> Path:
    """The clip under presets/video.yaml's dream, first frame and coherence settings (what a user
    renders), in coherence `mode`, with `extra` merged in."""
    shipped = yaml.safe_load((REPO / "presets" / "video.yaml").read_text())
    data = {"input": str(clip), "size": size, "frames": frames, "seed": 0,
            "coherence": {**shipped["coherence"], "mode": mode},
            "dream": shipped["dream"], "first_frame": shipped["first_frame"], "outputs": {"mp4": None}}
    for key, value in extra.items():
        data.setdefault(key, {}).update(value) if isinstance(value, dict) else data.__setitem__(key, value)
    path = Path(tempfile.mkdtemp()) / f"{mode}.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def source_motion(src: list) -> tuple[list, list, list]:
    """Per transition t-1 -> t of the source: (consistency masks, moving-pixel maps, cut frames).
    Moving = the source flow moves the pixel more than a pixel, or it is newly revealed."""
    from dreamanim.source.coherence import consistency_mask, flow, scene_cut
    masks, moving, cuts = [None], [None], []
    for t in range(1, len(src)):
        pull = flow(src[t - 1], src[t])
        mask = consistency_mask(pull, flow(src[t], src[t - 1]))
        masks.append(mask)
        moving.append((np.hypot(pull[..., 0], pull[..., 1]) > 1.0) | (mask < 0.5))
        if scene_cut(mask):
            cuts.append(t)
    return masks, moving, cuts


def measures(out: list, src: list, cadence: int = 1) -> dict:
    """Warping error and strength of dreamed frames `out` over source frames `src`, overall and on
    the hard parts: moving pixels, the last third of each shot, the three frames after each cut;
    with the warping error of the transitions into in-betweens (frames t % cadence != 0) apart."""
    from dreamanim.source.coherence import warping_error
    masks, moving, cuts = source_motion(src)
    n = len(out)
    diff = [np.abs(o - s).mean(axis=-1) for o, s in zip(out, src)]
    errors = {t: warping_error(out[t - 1], out[t], src[t - 1], src[t], masks[t]) for t in range(1, n) if t not in cuts}
    starts = [0, *cuts, n]
    shots = list(zip(starts[:-1], starts[1:]))
    last_thirds = [t for a, b in shots for t in range(b - (b - a) // 3, b)]
    after_cuts = [t for c in cuts for t in range(c, min(c + 3, n))]
    moving_strength = sum(float(diff[t][moving[t]].sum()) for t in range(1, n) if t not in cuts) / max(
        1, sum(int(moving[t].sum()) for t in range(1, n) if t not in cuts))
    made = {"warping_error": float(np.nanmean(list(errors.values()))),
            "strength": float(np.mean([d.mean() for d in diff])),
            "strength_moving": moving_strength,
            "strength_last_third": float(np.mean([diff[t].mean() for t in last_thirds])),
            "strength_after_cuts": float(np.mean([diff[t].mean() for t in after_cuts])) if cuts else None,
            "cuts": cuts}
    for k in (2, 3):  # the transitions that land on what would be an in-between at cadence k
        made[f"warping_error_inbetween_c{k}"] = float(np.nanmean([e for t, e in errors.items() if t % k]))
    return {k: (round(v, 2) if isinstance(v, float) else v) for k, v in made.items()}


def steadiness(args) -> None:
    from dreamanim.source.clip import ClipReader
    from dreamanim.preset import load_preset
    from dreamanim.rendering.loop import render
    from dreamanim.rendering.plan import Plan
    from dreamanim.source.video_span import clip_span
    import imageio.v3 as iio
    src, rows = None, []
    for name in args.modes.split(","):
        mode, _, cadence = name.partition("/")  # flow/2: flow at cadence 2
        extra = json.loads(args.set)
        if cadence:
            extra["cadence"] = int(cadence)
        p = load_preset(preset(args.clip, args.size, args.frames, mode, extra))
        out_base = Path(tempfile.mkdtemp()) / mode
        started = time.perf_counter()
        render(Plan(p), out_base)
        seconds = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # the render's, before the frames are read back
        files = sorted(Path(f"{out_base}.frames").glob("frame_*.png"))
        out = [iio.imread(f).astype(np.float32) for f in files]
        if src is None:
            src = list(ClipReader(p.input, p.size, clip_span(p.input, p.clip, "input")))[:len(out)]
        # Time per frame from the frames' files, the first frames (tracing) left out: a cadence
        # saves its in-betweens with the next dreamed frame, so time from frame 2N on.
        first = 2 * int(cadence or 1)
        warm = (files[-1].stat().st_mtime - files[first].stat().st_mtime) / (len(files) - 1 - first)
        if args.sheet:
            rows.append((name, [out[t] for t in args.sheet_frames]))
        print(json.dumps({"mode": name, "clip": str(args.clip), "size": args.size, "frames": len(out),
                          "dream": p.dream.model_dump(include={"steps", "step_size", "octaves"}),
                          "first_frame": p.first_frame.model_dump(include={"steps", "octaves"}),
                          "coherence": p.coherence.model_dump(), **measures(out, src, int(cadence or 1)),
                          "s_per_frame": round(seconds / len(out), 3), "s_per_frame_warm": round(warm, 3),
                          "peak_rss_mb": round(peak)}), flush=True)
    if args.sheet:
        contact_sheet(args.sheet, [("source", [src[t] for t in args.sheet_frames]), *rows], args.sheet_frames)


def contact_sheet(path: Path, rows: list, frames: list) -> None:
    """One row per mode (the source first), one column per frame, labelled; JPEG or PNG by suffix."""
    from PIL import Image, ImageDraw
    h, w = rows[0][1][0].shape[:2]
    label = 70
    sheet = Image.new("RGB", (label + w * len(frames), h * len(rows)), "white")
    draw = ImageDraw.Draw(sheet)
    for r, (name, images) in enumerate(rows):
        draw.text((4, r * h + h // 2 - 6), name, fill="black")
        for c, image in enumerate(images):
            sheet.paste(Image.fromarray(np.clip(np.rint(image), 0, 255).astype(np.uint8)), (label + c * w, r * h))
    for c, t in enumerate(frames):
        draw.text((label + c * w + 4, 2), f"frame {t}", fill="white")
    sheet.save(path, quality=88)


def hard_clip() -> Path:
    """examples/make_hard_clip.py's clip, made in a temporary folder."""
    import importlib.util
    spec = importlib.util.spec_from_file_location("make_hard_clip", REPO / "examples" / "make_hard_clip.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.main(Path(tempfile.mkdtemp()) / "hard_clip.mp4")


def speed(args) -> None:
    """Seconds per frame at --width, timed from the frames' files (frames 0 and 1, which trace the
    steps, left out), and where the time goes: decoding, optical flow, the dream, the frame's
    PNG, written on a thread while the next frame dreams (the rest: carrying the detail, masks, the loop)."""
    import imageio_ffmpeg
    from dreamanim.engine import dreamer as dreamer_module
    from dreamanim.rendering import store as store_module
    from dreamanim.source import coherence
    from dreamanim.source import video as video_source
    from dreamanim.preset import load_preset
    from dreamanim.rendering.loop import render
    from dreamanim.rendering.plan import Plan
    big = Path(tempfile.mkdtemp()) / "big.mp4"
    height = round(args.width * 9 / 16 / 2) * 2
    subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-loglevel", "error", "-y", "-stream_loop", "3", "-i", str(args.clip),
                    "-vf", f"scale={args.width}:{height}", "-c:v", "libx264", "-crf", "18", "-an", str(big)], check=True)
    spent = {"decode": [], "flow": [], "dream": [], "write": []}

    def timed(fn, key):
        def run(*a, **k):
            t = time.perf_counter()
            try:
                return fn(*a, **k)
            finally:
                spent[key].append(time.perf_counter() - t)
        return run
    coherence.flow = timed(coherence.flow, "flow")  # carry() and inbetween() look flow up in their module
    video_source.ClipReader.frame = timed(video_source.ClipReader.frame, "decode")
    dreamer_module.Dreamer.dream = timed(dreamer_module.Dreamer.dream, "dream")
    store_module.FrameStore._write = timed(store_module.FrameStore._write, "write")  # (on its thread, beside the next dream)
    extra = json.loads(args.set)
    if args.cadence > 1:
        extra["cadence"] = args.cadence
    p = load_preset(preset(big, args.width, args.frames, "flow", extra))
    out = Path(tempfile.mkdtemp()) / "speed"
    render(Plan(p), out)
    files = sorted(Path(f"{out}.frames").glob("frame_*.png"))
    first = 2 * args.cadence  # tracing done by then (a cadence saves its in-betweens with the next dream)
    per_frame = (files[-1].stat().st_mtime - files[first].stat().st_mtime) / (len(files) - 1 - first)
    skip = {"decode": 2 * args.cadence + 1, "flow": 4 * args.cadence, "dream": 2, "write": first + 1}
    split = {k: round(float(np.sum(v[skip[k]:])) / max(1, len(files) - 1 - first), 3) for k, v in spent.items()}
    print(json.dumps({"size": f"{args.width}x{height}", "frames": args.frames, "cadence": args.cadence,
                      "s_per_frame": round(per_frame, 3), "split_s_per_frame": split,
                      "dream_s_median": round(float(np.median(spent["dream"][2:])), 3),
                      "dream": p.dream.model_dump(include={"steps", "step_size", "octaves"}),
                      "first_frame": p.first_frame.model_dump(include={"steps", "octaves"}),
                      "coherence": p.coherence.model_dump()}))


def memory(args) -> None:
    """Peak RSS of a flow render of the whole clip and of one 4x as long (the clip looped), each in
    a fresh process: the clip is a stream, so the two should match."""
    import imageio_ffmpeg
    long = Path(tempfile.mkdtemp()) / "long.mp4"
    subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-loglevel", "error", "-y", "-stream_loop", "3", "-i", str(args.clip),
                    "-c:v", "libx264", "-crf", "18", "-an", str(long)], check=True)
    for clip, label in ((args.clip, "1x"), (long, "4x")):
        out = subprocess.run([sys.executable, __file__, "--clip", str(clip), "--size", str(args.size), "--frames", "0",
                              "--modes", "flow", "--set", args.set], capture_output=True, text=True, check=True).stdout
        made = json.loads(out.strip().splitlines()[-1])
        print(json.dumps({"clip": label, "frames": made["frames"], "size": args.size, "peak_rss_mb": made["peak_rss_mb"],
                          "s_per_frame": made["s_per_frame"]}))


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--clip", type=Path, default=REPO / "presets" / "clip.mp4")
    p.add_argument("--hard", action="store_true", help="the clip of examples/make_hard_clip.py instead")
    p.add_argument("--size", type=int, default=320)
    p.add_argument("--frames", type=int, default=24, help="frames to render (0: the whole clip)")
    p.add_argument("--modes", default="none,blend,flow", help="coherence modes; flow/2: flow at cadence 2")
    p.add_argument("--set", default="{}", help='JSON merged into the preset, e.g. \'{"coherence": {"decay": 0.95}}\'')
    p.add_argument("--speed", action="store_true")
    p.add_argument("--width", type=int, default=1280)
    p.add_argument("--cadence", type=int, default=1, help="--speed: dream every N-th frame")
    p.add_argument("--memory", action="store_true")
    p.add_argument("--sheet", type=Path, help="also write the frames --sheet-frames of the source and each mode side by side")
    p.add_argument("--sheet-frames", type=lambda v: [int(x) for x in v.split(",")], default=[14, 15, 16, 28, 29, 30])
    args = p.parse_args(argv)
    if args.hard:
        args.clip = hard_clip()
    if args.frames == 0:
        from dreamanim.source.clip import probe
        args.frames = probe(args.clip).frames
    (speed if args.speed else memory if args.memory else steadiness)(args)


if __name__ == "__main__":
    main()
