"""The transform chain: (frame, ctx) => the frame moved on, each step run and checked by its registry entry.

Chain(steps) is built once, when the preset loads (config hands it over ready): each Step
holds its transform's entry, its parameters with defaults filled in (frame-0 values) and its
own schedules, so nothing is looked up or picked out per frame.
"""
from dataclasses import dataclass
from typing import Mapping

import numpy as np

from .context import FrameContext
from .registry import TransformInfo
from ..schedule.keyframes import Scheduled, with_values


@dataclass(frozen=True)
class Step:
    info: TransformInfo
    params: Mapping              # every parameter, at its frame-0 value
    schedules: tuple[Scheduled, ...] = ()  # paths ("transform", i, name, param)

    def params_at(self, t: int, frames: int) -> dict:
        if not self.schedules:  # only the scheduled values change from frame to frame
            return dict(self.params)
        return with_values(dict(self.params), self.schedules, t, frames, skip=3)


@dataclass(frozen=True)
class Chain:
    steps: tuple[Step, ...] = ()

    def __call__(self, frame: np.ndarray, ctx: FrameContext) -> np.ndarray:
        """Scheduled parameters take their value at ctx.t (the frame being moved on to frame t+1).
        Frame t+1 (1-based, frame_0000{t+1}.png) is saved before this runs: a failing plugin
        loses nothing, and once fixed, --resume re-runs it on that saved frame."""
        kept = (f"the {ctx.t + 1} frame(s) so far are kept: fix the plugin, "
                "then run the same command with --resume")
        for step in self.steps:
            frame = step.info.run(frame, ctx, step.params_at(ctx.t, ctx.frames),
                                  on=f"on frame {ctx.t + 1}", fix=kept)
        return frame

    @property
    def schedules(self) -> tuple[Scheduled, ...]:
        return tuple(s for step in self.steps for s in step.schedules)
