"""The preset's transforms => a ready Chain: each step's entry found once, its schedules found by
its signature, its values validated and tried once on a small frame (a bad value fails now, not
at frame 300)."""
import numpy as np

from ..motion import blame

from ..motion import registry
from ..motion.chain import Chain, Step
from ..motion.context import FrameContext
from ..errors import DreamanimError, PluginError, PresetError
from ..schedule.keyframes import with_values
from .describe import validate
from .scheduled import SCHEDULE_FIX, at_frame, schedules_in
from .schema import Preset
from .sections import TransformStep


def build_chain(preset: Preset, where: str) -> Chain:
    steps = []
    for i, step in enumerate(preset.transform):
        key = f"transform[{i}].{step.name}"
        try:
            info = registry.get(step.name)
        except PresetError as exc:
            raise exc.at(f"{where}: {key}") from None
        schedules = schedules_in(step.params, {p.name: p.annotation for p in info.params},
                                 ("transform", i, step.name), where,
                                 f"the {info.origin} {info.source} defines {info.usage}; schedules: docs/schedules.md",
                                 audio=preset.audio_features)
        params = at_frame(lambda: with_values(step.params, schedules, 0, preset.frames, 3), where)
        steps.append(Step(info, check_values(info, params, where, i), tuple(schedules)))
    return Chain(tuple(steps))


def check_chain_schedules(preset: Preset, where: str) -> None:
    """Every scheduled transform value at every frame passes the checks of build_chain (each
    distinct set of values once), so a bad value fails now, not at frame 300."""
    frames = preset.frames
    for i, step in enumerate(preset.chain.steps):
        seen = set()
        for t in range(1, frames if step.schedules else 0):  # frame 0's values passed build_chain
            values = at_frame(lambda: tuple(s.at(t, frames) for s in step.schedules), where)
            if values in seen:
                continue
            seen.add(values)
            try:
                check_values(step.info, step.params_at(t, frames), where, i)
            except DreamanimError as exc:
                raise type(exc)(exc.where, f"{exc.what} at frame t={t}", SCHEDULE_FIX) from None


def check_values(info: registry.TransformInfo, params: dict, where: str, i: int) -> dict:
    """The step's parameters validated by its signature (defaults filled in) and tried once."""
    key = f"{where}: transform[{i}].{info.name}"
    try:
        values = validate(info.params_model, params, where, ("transform", i, info.name)).model_dump()
        dry_run(info, values, key)
    except PresetError as exc:  # say which file the transform is in and all it takes
        raise PresetError(exc.where, exc.what, f"fix the preset or --set; the {info.origin} "
                          f"{info.source} defines {info.usage}") from None
    return values


def _test_frame() -> np.ndarray:
    # Not flat grey: a transform that divides by the frame's spread must not fail the dry run.
    y, x = np.mgrid[0:24, 0:32].astype(np.float32)
    return np.stack([y * 10, x * 7, (x + y) * 4.5], axis=-1)


def dry_run(info: registry.TransformInfo, values: dict, where: str) -> None:
    """Call the transform once on a small frame, so a bad value fails now, not at frame 300."""
    ctx = FrameContext(t=0, frames=2, rng=np.random.default_rng(0))
    try:
        info.run(_test_frame(), ctx, values, on="on a 24x32 test frame", fix="fix the plugin")
    except PluginError as exc:
        if isinstance(exc.__cause__, ValueError):  # the transform's own parameter checks
            raise PresetError(where, blame.value_error_text(info, exc.__cause__), "fix that parameter") from None
        raise


def with_full_params(preset: Preset, chain: Chain) -> Preset:
    """The preset whose transform steps hold every parameter (frame-0 values, defaults filled in)."""
    steps = [TransformStep(name=s.info.name, params=dict(s.params)) for s in chain.steps]
    return preset.model_copy(update={"transform": steps})
