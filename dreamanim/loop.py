"""The frame loop: dream => save => transform => dream ... then GIF/MP4 from the saved frames."""
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional, Protocol

import numpy as np

from . import registry
from .config import Preset, TransformStep, resolve_input, transform_values
from .context import FrameContext, rng_for
from .errors import DreamanimError, PluginError
from .sources import load_source
from .store import FrameStore
from .writers import check_free, output_paths, play_order, write_gif, write_mp4


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


class Chain:
    """The preset's transforms, applied in order, each checked for shape, dtype and finiteness."""

    def __init__(self, steps: list[TransformStep]):
        self.steps = [(registry.get(s.name), transform_values(s)) for s in steps]

    def __call__(self, frame: np.ndarray, ctx: FrameContext) -> np.ndarray:
        for info, params in self.steps:
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
           progress: Optional[Progress] = None) -> RenderResult:
    started = time.perf_counter()
    outputs = output_paths(base, preset.outputs)
    check_free(outputs.values(), force)
    chain = Chain(preset.transform)
    # bfloat16 and float32 dream slightly different frames: a resume must not mix them.
    frames_hash = f"{preset.frames_hash()}-{frame_precision(preset)}"
    store = FrameStore(base, frames_hash, manifest(preset, folder), resume=resume, force=force)
    result = RenderResult(outputs, store.folder, preset.frames, 0, 0.0)
    todo = store.todo(preset.frames)
    if progress:
        progress.frames(preset.frames, store.done)
    if len(todo):
        dreamer = make_dreamer(preset)
        frame = next_input(preset, folder, store, chain)
        for t in todo:
            settings = preset.dream_for(t)
            if progress:
                progress.frame(t, dreamer.steps_for(frame.shape[:2], settings))
            objective = []
            frame = dreamer.dream(frame, settings, rng_for(preset.seed, t, "dream"),
                                  on_step=lambda v: (objective.append(v), progress and progress.step(v)))
            frame = store.save(t, frame)
            result.rendered += 1
            result.objectives.append(objective[-1])
            if progress:
                progress.frame_done(t)
            if t + 1 < preset.frames:
                frame = chain(frame, FrameContext(t, preset.frames, rng_for(preset.seed, t)))
        result.traces = dreamer.traces
    write_outputs(preset, store, outputs, progress)
    result.seconds = time.perf_counter() - started
    return result


def make_dreamer(preset: Preset):
    from .dream import Dreamer  # TensorFlow loads here, not at import
    from .models import load_model, model_module
    module = model_module(preset.model)
    return Dreamer(load_model(preset.model, preset.precision), module.DEFAULT_LAYERS, module.DEFAULT_STEP)


def frame_precision(preset: Preset) -> str:
    from .models import model_precision
    return model_precision(preset.model, preset.precision)


def next_input(preset: Preset, folder: Path, store: FrameStore, chain: Chain) -> np.ndarray:
    """The image the next frame dreams on: the source, or the last saved frame transformed."""
    if store.done == 0:
        return load_source(resolve_input(preset, folder), preset.size, preset.seed)
    t = store.done - 1
    return chain(store.read(t), FrameContext(t, preset.frames, rng_for(preset.seed, t)))


def write_outputs(preset: Preset, store: FrameStore, outputs: dict[str, Path], progress=None) -> None:
    order = play_order(preset.frames, preset.loop)
    for fmt, path in outputs.items():
        if progress:
            progress.writing(path.name, len(order))
        frames = _ticking(store.frames(order), progress)
        if fmt == "gif":
            write_gif(path, frames, fps=preset.outputs.gif.fps, loops=preset.outputs.gif.loops)
        else:
            write_mp4(path, frames, fps=preset.outputs.mp4.fps, crf=preset.outputs.mp4.crf)
        if progress:
            progress.written()


def _ticking(frames, progress):
    for frame in frames:
        yield frame
        if progress:
            progress.step(0.0)


def manifest(preset: Preset, folder: Path) -> dict:
    from . import __version__
    image = resolve_input(preset, folder)
    return {"dreamanim": __version__, "seed": preset.seed, "precision": frame_precision(preset),
            "input": str(image.resolve()) if image else "noise", "preset": preset.model_dump()}
