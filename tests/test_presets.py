"""Every shipped preset loads and renders out of the box, and dreams exactly the frames it did
(at a tiny size: CI checks they run and that a refactor changed no pixel; the full-size renders
are what we look at).

The pixel hashes depend on the CPU's float kernels (oneDNN picks them per instruction set), so
they are kept per CPU class. On a class with none recorded yet the comparison is skipped with
the command that records them: `DREAMANIM_RECORD_HASHES=1 pytest tests/test_presets.py`.
"""
import hashlib
import json
import os

import imageio.v3 as iio
import pytest

from conftest import PRESETS, REPO

SHIPPED = sorted(PRESETS.glob("*.yaml"))
# Beyond the shipped presets, the paths a refactor could change quietly: a plugin file, a
# preview, the other offline model, a still image with a guide and a seamless loop with --frames.
VARIANTS = {
    "swirl_plugin": (REPO / "examples" / "swirl.yaml", []),
    "preview": (PRESETS / "vertical_stretch.yaml", ["--preview", "2", "--frames", "6"]),
    "vgg16": (PRESETS / "vertical_stretch.yaml", ["--set", "model=vgg16", "--set", "dream.layers=null"]),
}
CASES = [(p.stem, p, []) for p in SHIPPED] + [(name, *case) for name, case in VARIANTS.items()]
TINY_OVERRIDES = ["size=40", "frames=3", "dream.steps=1", "dream.octaves=1",
                  "first_frame.steps=1", "first_frame.octaves=1"]
HASHES = REPO / "tests" / "frame_hashes.json"
RECORD = os.environ.get("DREAMANIM_RECORD_HASHES") == "1"


def cpu_class() -> str:
    try:
        flags = next(line for line in open("/proc/cpuinfo") if line.startswith("flags")).split()
    except (OSError, StopIteration):
        return "unknown"
    for name in ("amx_bf16", "avx512_bf16", "avx512f", "avx2"):
        if name in flags:
            return name
    return "other"


def pixels_hash(frames) -> str:
    digest = hashlib.sha256()
    for path in frames:
        digest.update(iio.imread(path).tobytes())
    return digest.hexdigest()[:16]


def weights_to_download(preset) -> str:
    """Why the preset cannot render here: its model's weights are a download not made yet (and it
    names no local `weights:`), or "" when it can."""
    import yaml
    from dreamanim.engine.models import DEFAULT_MODEL, MODELS, availability
    data = yaml.safe_load(preset.read_text())
    model = data.get("model", DEFAULT_MODEL)
    if data.get("weights") or model not in MODELS or availability(model) != "no":
        return ""
    return (f"{preset.name} needs {model}'s weights, a one-time download not made here "
            f"(not in the Keras cache; render it once online, or give weights: PATH)")


def test_there_are_presets():
    assert any(p.name == "vertical_stretch.yaml" for p in SHIPPED)


@pytest.mark.slow
@pytest.mark.parametrize("name, preset, extra", CASES, ids=[c[0] for c in CASES])
def test_preset_renders_the_same_frames_at_a_tiny_size(name, preset, extra, run_cli, tmp_path):
    missing = weights_to_download(preset)
    if missing:
        pytest.skip(missing)
    args = [a for kv in TINY_OVERRIDES for a in ("--set", kv)] + extra
    code, _, err = run_cli("render", preset, *args, "-o", tmp_path / name, "--quiet")
    assert code == 0, err
    frames = sorted(tmp_path.glob("*.frames/frame_*.png"))
    assert len(frames) == 3 and max(iio.imread(frames[0]).shape[:2]) == 40
    for video in tmp_path.glob("*.*[4f]"):  # .gif / .mp4, whichever the preset asks for
        assert video.stat().st_size > 0
    recorded = json.loads(HASHES.read_text()) if HASHES.is_file() else {}
    got = pixels_hash(frames)
    if RECORD:
        recorded.setdefault(cpu_class(), {})[name] = got
        HASHES.write_text(json.dumps(recorded, indent=1, sort_keys=True) + "\n")
        return
    expected = recorded.get(cpu_class(), {}).get(name)
    if expected is None:
        pytest.skip(f"no frame hashes recorded for CPU class {cpu_class()}: "
                    "DREAMANIM_RECORD_HASHES=1 pytest tests/test_presets.py")
    assert got == expected, f"{name}: the frames changed"
