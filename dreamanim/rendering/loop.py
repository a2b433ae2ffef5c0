"""The frame loop: a plan's source => dream => colour lock => save => transform chain => dream ...,
then the videos from the saved frames.

    render(plan, base, resume=, force=, progress=, on_note=, steering=) => RenderResult  (one render per output: OutputLock)
"""
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional, Protocol

import numpy as np

from .color_lock import FrameZeroLock
from ..motion.context import rng_for
from .lock import OutputLock, owner_text
from .files import RenderFiles
from .plan import Plan
from .sidecar import note_channels
from .steering import Steering
from .store import FrameStore
from ..common.pixels8 import to_uint8
from ..common.writers import make_folder


class Progress(Protocol):
    def frames(self, total: int, done: int) -> None: ...
    def frame(self, t: int, steps: int) -> None: ...
    def step(self, objective: float) -> None: ...
    def frame_done(self, t: int) -> None: ...
    def writing(self, name: str, total: int) -> None: ...
    def wrote_frame(self) -> None: ...
    def written(self) -> None: ...


@dataclass
class RenderResult:
    outputs: dict[str, Path]
    frames_folder: Path
    frames: int
    rendered: int = 0      # frames dreamed by this run (the rest came from an earlier run)
    seconds: float = 0.0
    objectives: list[float] = field(default_factory=list)  # last objective of each dreamed frame
    traces: int = 0        # tracings of the dream's step this run made (one per octave size, at most)
    loop_jump: Optional[float] = None   # last => first played frame, mean |difference| (0..255)
    loop_step: Optional[float] = None   # the typical difference between consecutive played frames
    preset: Optional[object] = None     # the validated Preset rendered (api.render fills it in)


def render(plan: Plan, base: Path, *, resume: bool = False, force: bool = False,
           progress: Optional[Progress] = None,
           on_note: Optional[Callable[[str], None]] = None, steering: Optional[Steering] = None) -> RenderResult:
    """on_note(text): told what the user should know but need not act on (a stale lock taken over).
    steering: live changes from the next frame on, pause and stop (steering.py)."""
    started = time.perf_counter()
    files = RenderFiles(base, plan)
    took_over = None if on_note is None else (
        lambda rec: on_note(f"took over the lock of {owner_text(rec)}, which is no longer running"))
    # One render per output: a second one into the same -o is refused before it checks or writes anything.
    make_folder(base.parent)  # (the lock file goes there; a folder that cannot be made is named as such)
    with OutputLock(base.with_name(base.name + ".lock"), where=str(base), on_takeover=took_over):
        resume = files.check(resume=resume, force=force) or resume  # nothing the user has is replaced (True: frames reused)
        with FrameStore(base, plan.identity(), plan.manifest(), resume=resume, force=force,
                        on_note=on_note) as store:  # (told of damaged frames it drops)
            result = RenderResult(files.all, store.folder, plan.frames)
            if progress:
                progress.frames(plan.frames, store.done)
            todo = store.todo(plan.frames)
            if len(todo):
                dreamer = plan.dreamer()
                traced = dreamer.traces  # (the dreamer is shared per process: count only this render's)
                lock = FrameZeroLock(*plan.color_lock, lambda: store.read(0))
                saved = store.last_saved()
                if steering:
                    steering.attach(plan)
                # With a cadence, frame k (dreamed) is held until the in-betweens before it are saved:
                # frames go to disk in order, so --resume picks up at the first missing one.
                held: dict[int, np.ndarray] = {}
                for t in todo:
                    if steering and (steered := steering.before(t, store.done)) is not None:
                        plan = steered  # recorded with the frames from this one on
                        store.retag(plan.identity(), plan.manifest())
                    k = plan.dreamed_for(t)        # t itself, or the dreamed frame after in-between t
                    before = plan.dreamed_before(k)  # the dreamed frame k carries on (None for frame 0)
                    if k not in held:
                        previous = None if before is None else saved if before == t - 1 else store.read(before)
                        start = plan.source.begin(k, previous, lambda f, a=before, k=k: plan.move(f, a, k - a),
                                                  since=1 if before is None else k - before)
                        settings = plan.dream_for(k, start)
                        if progress:
                            progress.frame(t, dreamer.steps_for(start.frame.shape[:2], settings))
                        objective = []
                        frame = dreamer.dream(start.frame, settings, rng_for(plan.seed, k, "dream"),
                                              on_step=lambda v: (objective.append(v), progress and progress.step(v)),
                                              step_scale=plan.step_scale(start, k))
                        note_channels(store.folder, k, dreamer.chosen)  # automatic channels: the sidecar names them
                        held[k] = to_uint8(lock(k, frame)).astype(np.float32)  # as it will be stored
                        result.objectives.append(objective[-1])
                    frame = held.pop(k) if t == k else plan.between(t, before, k, store.read(before), held[k])
                    saved = store.save(t, frame)
                    result.rendered += 1
                    if steering:
                        store.flush()  # (the studio shows the file: it must be on disk)
                        steering.saved(t, store.path(t))
                    if progress:
                        progress.frame_done(t)
                result.traces = dreamer.traces - traced
        meter = files.write(store, plan, progress)
    result.loop_jump, result.loop_step = meter.jump, meter.typical_step
    result.seconds = time.perf_counter() - started
    return result

