"""The preset's sections besides `dream:`: outputs (built from the outputs table), clip, audio span, coherence,
colour lock, seamless loops, noise, transform steps and a model file's pixel scaling."""
from typing import Annotated, Any, Literal, Optional

from pydantic import Discriminator, Field, Tag, create_model, model_validator

from ..common.settings import Strict
from ..engine.models.model_file import MODES as PREPROCESS_MODES
from ..outputs import FORMATS, format_module


def _outputs_model() -> type[Strict]:
    """`outputs:` one optional key per format of the outputs table, holding that format's Settings."""
    fields = {fmt: (Optional[format_module(fmt).Settings], None) for fmt in FORMATS}
    return create_model("Outputs", __base__=_OutputsForms, **fields)


class _OutputsForms(Strict):
    @model_validator(mode="before")
    @classmethod
    def _bare_names(cls, data):
        # `outputs: [gif, mp4]` and `gif:` / `gif: true` mean "with default settings".
        if isinstance(data, list):
            data = {name: {} for name in data}
        if isinstance(data, dict):
            data = {k: ({} if v is None or v is True else v) for k, v in data.items() if v is not False}
        return data

    def given(self) -> dict:
        """{format: its settings} for each format the preset asks for, in the table's order."""
        return {fmt: s for fmt in type(self).model_fields if (s := getattr(self, fmt)) is not None}

    def only(self, fmt: str) -> "Outputs":
        """Just `fmt`, with the preset's settings for it if it has any."""
        return type(self)(**{fmt: getattr(self, fmt) or format_module(fmt).Settings()})


Outputs = _outputs_model()
GifOutput = format_module("gif").Settings
Mp4Output = format_module("mp4").Settings


class Clip(Strict):
    """`clip:` which part of a video input is dreamed (dreamanim/clip.py trim())."""
    start: Optional[float | str] = None  # seconds (1.5), or a frame number as "f36"; None: the start
    end: Optional[float | str] = None    # likewise, not included; None: the clip's end
    every: int = Field(1, ge=1)          # keep every N-th source frame (the output plays at fps / N)


class AudioSpan(Strict):
    """`audio_span:` which part of the soundtrack (`audio: FILE`) plays with frame 0 onwards, seconds."""
    start: float = Field(0.0, ge=0)
    end: Optional[float] = Field(None, gt=0)  # None: the track's end

    @model_validator(mode="after")
    def _ordered(self):
        if self.end is not None and self.end <= self.start:
            raise ValueError(f"end ({self.end:g}) must be after start ({self.start:g})")
        return self


class Coherence(Strict):
    """`coherence:` how a video's frame t carries the dream of frame t-1 (dreamanim/video_source.py)."""
    mode: Literal["none", "blend", "flow"] = "flow"
    blend: float = Field(0.5, ge=0, le=1)   # blend: the share of the previous dream mixed into the new frame
    decay: float = Field(0.9, ge=0, le=1)   # flow: the share of the dream's detail carried one frame on
    # flow: the share of the step size a frame that carries a dream spends renewing it (the carried
    # detail holds most of the dream; a full dream on top of it would flicker)
    renew: float = Field(0.3, gt=0, le=1)
    # flow: what a frame that carries a dream spends on it: `octaves` of the dream's octaves,
    # spread from its coarsest to its finest (rendering/plan.py carried_settings), and `steps`
    # steps in each, every step larger by dream.steps / steps so a frame renews as much in all.
    # Left out: the dream's own octaves and steps.
    octaves: Optional[int] = Field(None, ge=1)
    steps: Optional[int] = Field(None, ge=1)

    @model_validator(mode="before")
    @classmethod
    def _short_form(cls, data):
        # `coherence: flow` is `coherence: {mode: flow}`; YAML reads a bare `none`... as a string.
        return {"mode": data} if isinstance(data, str) else data


class ColorLock(Strict):
    """`color_lock:` match each dreamed frame's colours to frame 0's (dreamanim/color_lock.py).
    Off unless the preset has it; once given (`color_lock: {strength: 0.5}`), mode is lab."""
    mode: Literal["lab", "histogram", "off"] = "lab"
    strength: float = Field(1.0, ge=0, le=1)  # 0: no change, 1: fully matched

    @model_validator(mode="before")
    @classmethod
    def _short_form(cls, data):
        # `color_lock: lab` is `color_lock: {mode: lab}`. YAML reads a bare `off` as false and
        # `on` as true: `color_lock: off` / `mode: off` is off, `color_lock: on` is lab.
        if not isinstance(data, dict):
            data = {"mode": data}
        mode = data.get("mode", "lab")
        if isinstance(mode, bool) or mode is None:
            data = {**data, "mode": "lab" if mode is True else "off"}
        return data


class Seamless(Strict):
    """`seamless:` how `loop: seamless` joins the last frame to the first (dreamanim/seamless.py)."""
    blend_frames: int = Field(16, ge=1)  # frames crossfaded from the end into the start


class NoiseSettings(Strict):
    """`noise:` the image `input: noise` starts from (dreamanim/sources.py noise())."""
    kind: Literal["uniform", "gaussian", "plasma"] = "uniform"
    level: float = Field(116, ge=0, le=255)    # mean grey
    amount: float = Field(16, ge=0, le=255)    # uniform: level ± amount; gaussian, plasma: std
    color: bool = True                         # False: one noise for all channels (grey)
    scale: Optional[float] = Field(None, ge=1)  # px per random value; plasma: biggest blobs


class TransformStep(Strict):
    name: str
    params: dict[str, Any]


class PixelScaling(Strict):
    """`preprocess: {mean: [r, g, b], std: [r, g, b]}`: a model file's input is (pixel - mean) / std, on 0..255 pixels."""
    mean: Annotated[list[float], Field(min_length=3, max_length=3)]
    std: Annotated[list[Annotated[float, Field(gt=0)]], Field(min_length=3, max_length=3)]

    @model_validator(mode="after")
    def _on_0_255(self):
        if max(self.mean) <= 1 and max(self.std) <= 1:
            raise ValueError("mean and std are on 0..255 pixels; these look like 0..1 values (torchvision's): "
                             "multiply them by 255, or use preprocess: torch")
        return self


Preprocess = Annotated[Annotated[Literal[PREPROCESS_MODES], Tag("mode")] | Annotated[PixelScaling, Tag("scaling")],
                       Discriminator(lambda v: "mode" if isinstance(v, str) else "scaling")]
