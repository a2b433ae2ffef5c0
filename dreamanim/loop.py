"""The frame loop: dream => save => transform => dream ... then GIF/MP4 from the saved frames."""
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional, Protocol

import numpy as np

from . import registry
from .color_lock import make_color_lock
from .config import Preset, TransformStep, resolve_input, transform_values
from .context import FrameContext, rng_for
from .errors import DreamanimError, PluginError
from .schedule import Scheduled, with_values
from .seamless import LoopMeter, play, seamless_plan
from .sources import load_source
from .store import FrameStore, frames_folder, saved_frames
from .writers import (check_free, companion_paths, output_paths, play_order, write_gif, write_mp4,
                      write_png, write_text)


class Progress(Protocol):
    def frames(self, total: int, done: int) -> None: ...
    def frame(self, t: int, steps: int) -> None: ...
    def step(self, objective: float) -> None: ...
    def frame_done(self, t: int) -> None: ...
    def writing(self, name: str, total: int) -> None: ...
    def written(self) -> None: ...


@dataclass
class RenderResult:
    outputs: dict[str, Path]
    frames_folder: Path
    frames: int
    rendered: int          # frames dreamed by this run (the rest came from an earlier run)
    seconds: float
    objectives: list[float] = field(default_factory=list)  # last objective of each dreamed frame
    traces: int = 0
    loop_jump: Optional[float] = None   # last => first played frame, mean |difference| (0..255)
    loop_step: Optional[float] = None   # the typical difference between consecutive played frames


class Chain:
    """The preset's transforms, applied in order, each checked for shape, dtype and finiteness.
    Scheduled parameters take their value at ctx.t (the frame being moved on to frame t+1)."""

    def __init__(self, steps: list[TransformStep], schedules: tuple[Scheduled, ...] = ()):
        self.steps = [(registry.get(s.name), transform_values(s),
                       [x for x in schedules if x.path[:2] == ("transform", i)]) for i, s in enumerate(steps)]

    def __call__(self, frame: np.ndarray, ctx: FrameContext) -> np.ndarray:
        for info, params, scheduled in self.steps:
            if scheduled:  # only the scheduled values change from frame to frame
                params = with_values(params, scheduled, ctx.t, ctx.frames, skip=3)
            # Frame t+1 (1-based, frame_0000{t+1}.png) is saved before this runs: a failing plugin
            # loses nothing, and once fixed, --resume re-runs it on that saved frame.
            kept = (f"the {ctx.t + 1} frame(s) so far are kept: fix the plugin, "
                    "then run the same command with --resume")
            try:
                out = info.fn(frame, ctx, **params)
            except DreamanimError:
                raise
            except Exception as exc:
                raise PluginError(f"{registry.failure_where(info, exc)} on frame {ctx.t + 1}",
                                  f"raised {registry.exception_text(exc)}", kept) from None
            problem = registry.output_problem(frame, out)
            if problem:
                raise PluginError(f"{info.label} on frame {ctx.t + 1}", problem[0], f"{problem[1]}; {kept}")
            frame = np.clip(out, 0, 255)
        return frame


def render(preset: Preset, folder: Path, base: Path, *, resume: bool = False, force: bool = False,
           progress: Optional[Progress] = None, preview=None) -> RenderResult:
    """preview: a preview.Preview; `preset` is then its .preset (small, every K-th frame), and the
    preview's dream_for and chain stand in for the real render's frame times."""
    started = time.perf_counter()
    outputs = output_paths(base, preset.outputs)
    companions = companion_paths(base, sidecar=preview is None)
    # bfloat16 and float32 dream slightly different frames: a resume must not mix them.
    frames_hash = f"{preset.frames_hash()}-{frame_precision(preset)}" + (f"-{preview.tag()}" if preview else "")
    check_outputs([*outputs.values(), *companions.values()], base, frames_hash, resume=resume, force=force)
    chain = Chain(preset.transform, preset.schedules)
    if preview:  # between two previewed frames the transforms run once per real frame
        chain = preview.chain(chain)
    store = FrameStore(base, frames_hash, manifest(preset, folder, preview), resume=resume, force=force)
    result = RenderResult({**outputs, **companions}, store.folder, preset.frames, 0, 0.0)
    todo = store.todo(preset.frames)
    if progress:
        progress.frames(preset.frames, store.done)
    if len(todo):
        try:
            dreamer = make_dreamer(preset, folder)
        except BaseException:
            store.remove_if_empty()  # a model that cannot load (offline download) leaves nothing behind
            raise
        frame = next_input(preset, folder, store, chain)
        lock = None
        for t in todo:
            settings = (preview or preset).dream_for(t)
            if progress:
                progress.frame(t, dreamer.steps_for(frame.shape[:2], settings))
            objective = []
            frame = dreamer.dream(frame, settings, rng_for(preset.seed, t, "dream"),
                                  on_step=lambda v: (objective.append(v), progress and progress.step(v)))
            if t > 0:  # frame 0 as saved is the colour reference (read back, so --resume matches)
                if lock is None:
                    lock = make_color_lock(store.read(0), preset.color_lock.mode, preset.color_lock.strength)
                frame = lock(frame)
            frame = store.save(t, frame)
            result.rendered += 1
            result.objectives.append(objective[-1])
            if progress:
                progress.frame_done(t)
            if t + 1 < preset.frames:
                frame = chain(frame, FrameContext(t, preset.frames, rng_for(preset.seed, t)))
        result.traces = dreamer.traces
    meter = write_outputs(preset, store, outputs, progress)
    write_companions(preview.real if preview else preset, folder, store, companions)
    result.loop_jump, result.loop_step = meter.jump, meter.typical_step
    result.seconds = time.perf_counter() - started
    return result


def check_outputs(paths: list[Path], base: Path, frames_hash: str, *, resume: bool, force: bool) -> None:
    """Refuse, before anything is dreamed, to replace a file the user has (never without --force),
    with one exception: --resume beside frames made with these very settings. The videos, sheet and
    preset there were made from those frames and are made again from them, so a render stopped
    while writing them (Ctrl-C, ffmpeg failing) finishes with --resume and loses nothing."""
    saved, saved_hash = saved_frames(base)
    same = saved > 0 and saved_hash == frames_hash
    if resume and same:
        return  # (the output folder exists: it holds the frames folder)
    frames = f"{frames_folder(base)}/"
    if resume and saved:
        fix = (f"the frames in {frames} were rendered with different settings, so --resume cannot make it "
               "again: use --force to start over or -o to choose another name")
    elif same:
        fix = (f"add --resume to make it again from the {saved} frame(s) in {frames}, "
               "--force to start over, or -o to choose another name")
    else:
        fix = "use --force to overwrite it or -o to choose another name"
    check_free(paths, force, fix=fix)


def make_dreamer(preset: Preset, folder: Path = Path(".")):
    from .dream import dreamer_for  # TensorFlow loads here, not at import
    from .config import resolve_weights
    return dreamer_for(preset.model, preset.precision, resolve_weights(preset, folder), preset.device, folder)


def frame_precision(preset: Preset) -> str:
    from .models import model_precision
    return model_precision(preset.model, preset.precision)


def next_input(preset: Preset, folder: Path, store: FrameStore, chain: Chain) -> np.ndarray:
    """The image the next frame dreams on: the source, or the last saved frame transformed."""
    if store.done == 0:
        return load_source(resolve_input(preset, folder), preset.size, preset.seed,
                           noise_settings=preset.noise.model_dump())
    t = store.done - 1
    return chain(store.read(t), FrameContext(t, preset.frames, rng_for(preset.seed, t)))


def write_outputs(preset: Preset, store: FrameStore, outputs: dict[str, Path], progress=None) -> LoopMeter:
    """Write each video from the saved frames; the meter has measured the loop of the first one."""
    meter = LoopMeter()
    for i, (fmt, path) in enumerate(outputs.items()):
        count, frames = played_frames(preset, store)
        if progress:
            progress.writing(path.name, count)
        frames = _ticking(meter.watch(frames) if i == 0 else frames, progress)
        if fmt == "gif":
            write_gif(path, frames, fps=preset.outputs.gif.fps, loops=preset.outputs.gif.loops,
                      comment=store.provenance)
        else:
            write_mp4(path, frames, fps=preset.outputs.mp4.fps, crf=preset.outputs.mp4.crf,
                      comment=store.provenance)
        if progress:
            progress.written()
    return meter


def played_frames(preset: Preset, store: FrameStore):
    """(count, stream): the frames the videos show, in play order, read from the store one by one."""
    if preset.loop == "seamless":
        plan = seamless_plan(preset.frames, preset.seamless.blend_frames)
        return len(plan), play(lambda t: next(store.frames([t])), plan)
    order = play_order(preset.frames, preset.loop)
    return len(order), store.frames(order)


def _ticking(frames, progress):
    for frame in frames:
        yield frame
        if progress:
            progress.step(0.0)


def write_companions(preset: Preset, folder: Path, store: FrameStore, paths: dict[str, Path]) -> None:
    """The contact sheet (with the frames' provenance) and the resolved preset beside the videos."""
    from .contact_sheet import sheet_for
    from .sidecar import PNG_KEY, sidecar_text
    write_png(paths["sheet"], sheet_for(store.folder), text={PNG_KEY: store.provenance})
    if "preset" in paths:
        write_text(paths["preset"], sidecar_text(preset, folder))


def manifest(preset: Preset, folder: Path, preview=None) -> dict:
    """What the frames were made with; a preview records the real preset and its own settings."""
    from . import __version__
    from .sidecar import resolved
    real = preview.real if preview else preset
    image = resolve_input(real, folder)
    made = {"dreamanim": __version__, "seed": real.seed, "precision": frame_precision(real),
            "input": str(image.resolve()) if image else "noise", "preset": resolved(real, folder)}
    return {**made, "preview": preview.settings()} if preview else made
