"""Steadiness of a dreamed clip per `coherence` mode, and what a video render costs.

For each mode (none, blend, flow) at equal dream settings, renders the clip and prints one JSON
line with
    warping_error   mean |out_t - out_{t-1} warped by the SOURCE flow| inside the consistency
                    mask, 0..255 (the video-consistency papers' measure: lower = steadier)
    strength        mean |out - source|, 0..255 (so "dream less" cannot pass for "flicker less")
    s_per_frame     wall seconds per frame of the render (model load and tracing included once)
    peak_rss_mb     the process's peak memory by the end of the render
With --speed it instead renders --frames frames of a clip scaled to --width (e.g. 1280x720)
with the flow mode and prints the seconds per frame and the share spent decoding the clip and
computing the flow (the rest is the dream); with --memory it renders the clip once and then
four times as long (the clip looped) and prints the peak RSS of each run (a stream: flat).

    python benchmarks/flicker.py --clip presets/clip.mp4 --size 320 --frames 24
    python benchmarks/flicker.py --speed --width 1280 --frames 8
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
    data = {"input": str(clip), "size": size, "frames": frames, "seed": 0, "coherence": {"mode": mode},
            "dream": {"layers": {"block9_add": 1.0, "block10_add": 0.5}, "steps": 4, "step_size": 0.02, "octaves": 3},
            "first_frame": {"steps": 6, "octaves": 4}, "outputs": {"mp4": None}}
    for key, value in extra.items():
        data.setdefault(key, {}).update(value) if isinstance(value, dict) else data.__setitem__(key, value)
    path = Path(tempfile.mkdtemp()) / f"{mode}.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def steadiness(args) -> None:
    from dreamanim.source.clip import ClipReader
    from dreamanim.source.coherence import warping_error
    from dreamanim.preset import load_preset
    from dreamanim.rendering.loop import render
    from dreamanim.rendering.plan import Plan
    from dreamanim.source.video_span import clip_span
    import imageio.v3 as iio
    for mode in args.modes.split(","):
        p = load_preset(preset(args.clip, args.size, args.frames, mode, json.loads(args.set)))
        out_base = Path(tempfile.mkdtemp()) / mode
        started = time.perf_counter()
        render(Plan(p), out_base)
        seconds = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # the render's, before the frames are read back
        out = [iio.imread(f).astype(np.float32) for f in sorted(Path(f"{out_base}.frames").glob("frame_*.png"))]
        src = list(ClipReader(p.input, p.size, clip_span(p.input, p.clip, "input")))[:len(out)]
        err = np.nanmean([warping_error(out[t - 1], out[t], src[t - 1], src[t]) for t in range(1, len(out))])
        strength = np.mean([np.abs(o - s).mean() for o, s in zip(out, src)])
        print(json.dumps({"mode": mode, "clip": str(args.clip), "size": args.size, "frames": len(out),
                          "dream": p.dream.model_dump(include={"steps", "step_size", "octaves"}),
                          "coherence": p.coherence.model_dump(), "warping_error": round(float(err), 2),
                          "strength": round(float(strength), 2), "s_per_frame": round(seconds / len(out), 3),
                          "peak_rss_mb": round(peak)}))


def speed(args) -> None:
    """Seconds per frame at --width and the share spent decoding + computing the flow."""
    import imageio_ffmpeg
    from dreamanim.source import coherence
    from dreamanim.source import video as video_source
    from dreamanim.preset import load_preset
    from dreamanim.rendering.loop import render
    from dreamanim.rendering.plan import Plan
    big = Path(tempfile.mkdtemp()) / "big.mp4"
    height = round(args.width * 9 / 16 / 2) * 2
    subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-loglevel", "error", "-y", "-stream_loop", "3", "-i", str(args.clip),
                    "-vf", f"scale={args.width}:{height}", "-c:v", "libx264", "-crf", "18", "-an", str(big)], check=True)
    spent = {"flow": 0.0, "decode": 0.0}

    def timed(fn, key):
        def run(*a, **k):
            t = time.perf_counter()
            try:
                return fn(*a, **k)
            finally:
                spent[key] += time.perf_counter() - t
        return run
    coherence.flow = timed(coherence.flow, "flow")  # carry() looks flow up in its module
    reader_frame = video_source.ClipReader.frame
    video_source.ClipReader.frame = timed(reader_frame, "decode")
    p = load_preset(preset(big, args.width, args.frames, "flow", json.loads(args.set)))
    started = time.perf_counter()
    render(Plan(p), Path(tempfile.mkdtemp()) / "speed")
    total = time.perf_counter() - started
    print(json.dumps({"size": f"{args.width}x{height}", "frames": args.frames, "s_per_frame": round(total / args.frames, 2),
                      "decode_s": round(spent["decode"], 2), "flow_s": round(spent["flow"], 2),
                      "decode_flow_share": round((spent["decode"] + spent["flow"]) / total, 3),
                      "dream": p.dream.model_dump(include={"steps", "step_size", "octaves"})}))


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
    p.add_argument("--size", type=int, default=320)
    p.add_argument("--frames", type=int, default=24, help="frames to render (0: the whole clip)")
    p.add_argument("--modes", default="none,blend,flow")
    p.add_argument("--set", default="{}", help='JSON merged into the preset, e.g. \'{"coherence": {"decay": 0.95}}\'')
    p.add_argument("--speed", action="store_true")
    p.add_argument("--width", type=int, default=1280)
    p.add_argument("--memory", action="store_true")
    args = p.parse_args(argv)
    if args.frames == 0:
        from dreamanim.source.clip import probe
        args.frames = probe(args.clip).frames
    (speed if args.speed else memory if args.memory else steadiness)(args)


if __name__ == "__main__":
    main()
