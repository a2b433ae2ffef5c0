"""Make presets/clip.mp4, the bundled sample video: a slow camera move over Chelsea the cat
while the coffee cup from presets/coffee.jpg slides across the frame, with a soft soundtrack.

3 s at 24 fps, 320×212, H.264 yuv420p + AAC, well under 1 MB. Deterministic: run it again and
the picture is the same. It exercises what a video preset needs: camera motion everywhere
(optical flow), an object moving against it (occlusion, revealed background) and sound.
    python examples/make_sample_clip.py [OUTPUT]
"""
import os
import sys
import tempfile
import wave
from pathlib import Path

import imageio_ffmpeg
import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from dreamanim.source.soundtrack import add_audio

PRESETS = Path(__file__).resolve().parents[1] / "presets"
FPS, SECONDS, WIDTH, HEIGHT = 24, 3.0, 320, 212
SUPER = 2  # draw at twice the size, then shrink with Lanczos: smooth sub-pixel motion
RATE = 48000


def ease(u: float) -> float:
    """0..1 => 0..1, starting and ending gently like a camera operator would."""
    return u * u * (3 - 2 * u)


def camera(cat: Image.Image, u: float) -> Image.Image:
    """The view at time u (0..1): from the whole photo, zoom in 30% towards the eyes, drifting."""
    w, h = cat.size
    zoom = 1.0 + 0.3 * ease(u)
    view_w, view_h = w / zoom, w / zoom * HEIGHT / WIDTH
    cx = w / 2 + (0.42 * w - w / 2) * ease(u)   # towards the cat's left eye...
    cy = h / 2 + (0.40 * h - h / 2) * ease(u)   # ...and up a little
    left, top = cx - view_w / 2, cy - view_h / 2
    scale = view_w / (WIDTH * SUPER)
    # PIL's affine maps output pixels to input pixels: (x, y) => (a x + b y + c, d x + e y + f)
    return cat.transform((WIDTH * SUPER, HEIGHT * SUPER), Image.AFFINE,
                         (scale, 0, left, 0, scale, top), resample=Image.BICUBIC)


def cup_cutout() -> Image.Image:
    """The cup and saucer cut out of coffee.jpg with a soft-edged ellipse, about 120 px wide."""
    photo = Image.open(PRESETS / "coffee.jpg").convert("RGB")
    alpha = Image.new("L", photo.size, 0)
    ImageDraw.Draw(alpha).ellipse((75, 62, 482, 390), fill=255)
    alpha = alpha.filter(ImageFilter.GaussianBlur(6))
    cup = photo.copy()
    cup.putalpha(alpha)
    cup = cup.crop((60, 50, 500, 400))
    width = 120 * SUPER
    return cup.resize((width, round(cup.height * width / cup.width)), Image.LANCZOS)


def frames():
    cat = Image.open(PRESETS / "chelsea.png").convert("RGB")
    cup = cup_cutout()
    count = round(FPS * SECONDS)
    for t in range(count):
        u = t / (count - 1)
        frame = camera(cat, u)
        # the cup slides in from the left and out to the right, bobbing gently
        x = round((-0.3 * WIDTH + 1.15 * WIDTH * u) * SUPER)
        y = round((HEIGHT * 0.55 + 6 * np.sin(2 * np.pi * u)) * SUPER)
        frame.paste(cup, (x, y), cup)
        yield np.asarray(frame.resize((WIDTH, HEIGHT), Image.LANCZOS))


def soundtrack(seconds: float) -> np.ndarray:
    """Soft bell-like tones on a slow arpeggio and quiet drum clicks on the beat, -1..1."""
    t = np.arange(int(seconds * RATE)) / RATE
    out = np.zeros_like(t)
    for i, freq in enumerate([261.63, 329.63, 392.00, 523.25]):  # C E G C
        start = i * 0.75
        local = np.clip(t - start, 0, None)
        envelope = (t >= start) * np.minimum(local / 0.02, 1) * np.exp(-local * 2.5)
        out += 0.18 * envelope * (np.sin(2 * np.pi * freq * t) + 0.3 * np.sin(4 * np.pi * freq * t))
    rng = np.random.default_rng(7)
    for beat in np.arange(0, seconds, 0.375):  # 160 beats a minute
        n = int(0.05 * RATE)
        at = int(beat * RATE)
        click = rng.normal(0, 1, n) * np.exp(-np.arange(n) / (0.008 * RATE))
        click = np.convolve(click, np.ones(8) / 8, mode="same")  # dull the noise to a soft tick
        out[at:at + n] += 0.25 * click[:len(out) - at]
    fade = np.minimum(1, np.minimum(t / 0.05, (seconds - t) / 0.3))  # no click at the ends
    return np.clip(out * fade, -1, 1)


def write_wav(path: Path, samples: np.ndarray, rate: int = RATE) -> None:
    """Mono 16-bit PCM, samples in -1..1 (also used by make_music.py)."""
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes((samples * 32767).astype("<i2").tobytes())


def write_clip(output: Path, frames, size: tuple[int, int], fps: float, seconds: float, *, crf: int,
               made_by: str) -> Path:
    """Frames (H x W x 3 uint8) and the soundtrack as one H.264 MP4 with its sound, written whole or not at all."""
    output = Path(output)
    tmp = output.with_name(f".{output.stem}.partial-{os.getpid()}{output.suffix}")
    try:
        writer = imageio_ffmpeg.write_frames(
            str(tmp), size, fps=fps, codec="libx264", quality=None, pix_fmt_out="yuv420p",
            macro_block_size=1, ffmpeg_log_level="error",
            output_params=["-crf", str(crf), "-preset", "slow", "-threads", "1",  # one thread: same bytes every run
                           "-metadata", f"comment=made by {made_by}", "-f", "mp4"])
        writer.send(None)
        for frame in frames:
            writer.send(np.ascontiguousarray(frame))
        writer.close()
        with tempfile.TemporaryDirectory() as folder:
            wav = Path(folder) / "sound.wav"
            write_wav(wav, soundtrack(seconds))
            add_audio(tmp, wav, 0.0, seconds)
        os.replace(tmp, output)
    finally:
        tmp.unlink(missing_ok=True)
    return output


def main(output: Path) -> None:
    write_clip(output, frames(), (WIDTH, HEIGHT), FPS, SECONDS, crf=23, made_by="examples/make_sample_clip.py")
    print(f"wrote {output} ({output.stat().st_size / 1024:.0f} KiB)")

if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else PRESETS / "clip.mp4")
