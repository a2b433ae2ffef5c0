"""`dreamanim plot`: every scheduled value of a preset over its frames, as one PNG chart.

chart(preset) => a PIL image; write_chart(preset, path, force=False) writes it. One panel
per scheduled key, stacked: title = the key path and its schedule, x = frame t, y = the
value the render uses (rounded for whole-number keys, drawn as steps), dots at the
keyframes. A preset with a soundtrack (`audio: FILE`) gets two panels on top, on the same
frame axis: the waveform (beat frames marked) and the audio features its expressions use
(amp, onset and beat when they use none). The image is WIDTH x PANEL_HEIGHT * panels pixels. matplotlib draws it (its
object API on the Agg canvas: no pyplot, no global backend switch, no display needed) and
is imported only here, when a chart is made.
"""
from pathlib import Path

from ..preset import Preset
from ..errors import InputError, PresetError
from ..common.writers import check_free, write_png

WIDTH, PANEL_HEIGHT, DPI = 900, 200, 100  # pixels; DPI only relates matplotlib's inches to pixels


def chart_size(panels: int) -> tuple[int, int]:
    """(width, height) in pixels of a chart with this many panels."""
    return WIDTH, PANEL_HEIGHT * panels


def write_chart(preset: Preset, path: Path, *, force: bool = False, where: str = "preset") -> int:
    """Write the chart as a PNG (an existing file is kept unless force); returns the panel count."""
    if not preset.schedules:
        raise PresetError(where, "has no scheduled values: nothing to plot",
                          "give a number a schedule, e.g. amount: {0: 0.01, 30: 0.06}; see docs/schedules.md")
    path = Path(path)
    if path.suffix.lower() != ".png":
        raise InputError(str(path), "the chart is a PNG image", "give -o a name ending in .png")
    check_free([path], force)
    write_png(path, chart(preset))
    return len(preset.schedules)


def panels(preset: Preset) -> int:
    """How many panels the chart of this preset has: the audio's two, then one per schedule."""
    return len(preset.schedules) + (AUDIO_PANELS if preset.audio_features is not None else 0)


AUDIO_PANELS = 2


def chart(preset: Preset):
    """The chart as an RGB PIL image of chart_size(panels(preset))."""
    import numpy as np
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PIL import Image
    canvas = FigureCanvasAgg(_figure(preset))
    canvas.draw()
    return Image.fromarray(np.asarray(canvas.buffer_rgba())).convert("RGB")


def _figure(preset: Preset):
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    frames, schedules = preset.frames, preset.schedules
    width, height = chart_size(panels(preset))
    figure = Figure(figsize=(width / DPI, height / DPI), dpi=DPI, layout="constrained")
    axes = figure.subplots(panels(preset), 1, sharex=True, squeeze=False)[:, 0]
    if preset.audio_features is not None:
        _audio_panels(axes[:AUDIO_PANELS], preset)
        axes = axes[AUDIO_PANELS:]
    ts = list(range(frames))
    first_frame = preset.first_frame.model_dump(exclude_none=True)
    for ax, s in zip(axes, schedules):
        values = [s.at(t, frames) for t in ts]
        stepped = s.integer or s.schedule.interpolation == "step" and s.schedule.expression is None
        ax.plot(ts, values, color="tab:blue", linewidth=1.6, marker="." if frames <= 2 else None,
                drawstyle="steps-post" if stepped else "default")
        keys = [t for t, _ in s.schedule.keyframes if t < frames]
        ax.plot(keys, [values[t] for t in keys], "o", color="tab:orange", markersize=4, zorder=3)
        note = (f"   (frame 0 takes first_frame.{s.path[1]})"
                if s.path[0] == "dream" and s.path[1] in first_frame else "")
        ax.set_title(f"{s.key}    {s.schedule.describe()}{note}", loc="left", fontsize=9)
        ax.grid(alpha=0.3)
        ax.set_xlim(0, max(frames - 1, 1))
        ax.yaxis.set_major_locator(MaxNLocator(nbins=4, integer=s.integer))
        ax.tick_params(labelsize=8)
    axes[-1].set_xlabel(f"frame t (0 .. {frames - 1})", fontsize=9)
    return figure


def _audio_panels(axes, preset: Preset) -> None:
    """The waveform with the beat frames, and the features the expressions use, over the frames."""
    audio, frames = preset.audio_features, preset.frames
    used = sorted({f for s in preset.schedules for f in s.features} - {"tempo"}) or ["amp", "onset", "beat"]
    ts = range(frames)
    wave, feats = axes
    wave.fill_between(ts, audio.envelope[:frames, 0], audio.envelope[:frames, 1], color="0.45", step="mid")
    for t in (b for b in audio.beat_frames() if b < frames):
        wave.axvline(t, color="tab:red", alpha=0.35, linewidth=0.8)
    wave.set_title(f"audio  {Path(audio.path).name}  from {audio.start:g} s at {audio.fps:g} fps, "
                   f"{audio.tempo:.1f} BPM (beats in red)", loc="left", fontsize=9)
    for i, name in enumerate(used):
        feats.plot(ts, audio.values[name][:frames], linewidth=1.3, label=name, color=f"C{i + 1}",
                   drawstyle="steps-post" if name == "beat" else "default")
    feats.set_title("audio features (0..1) used by the expressions", loc="left", fontsize=9)
    feats.legend(loc="upper right", fontsize=8, ncols=len(used))
    for ax in axes:
        ax.grid(alpha=0.3)
        ax.set_xlim(0, max(frames - 1, 1))
        ax.tick_params(labelsize=8)
