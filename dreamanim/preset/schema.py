"""The preset's schema: frozen pydantic models, unknown keys forbidden, with defaults, bounds and invariants.

File paths (FilePath) are resolved once, while the preset validates: relative to the preset's
folder (the validation context's "folder"), made absolute; nothing after load sees a relative path.
"""
from pathlib import Path
from typing import Annotated, Any, Literal, Optional

from pydantic import (AfterValidator, BeforeValidator, Discriminator, Field, PrivateAttr, Tag, ValidationInfo, create_model,
                      field_validator, model_validator)
from pydantic.fields import FieldInfo

from ..common.settings import Strict
from ..engine.models.device import device_name
from ..engine.models.model_file import is_model_file
from ..engine.objective_spec import MAX_SIGMA, NORMALIZERS, REDUCES
from ..outputs import DEFAULT_FORMATS
from ..schedule.keyframes import Scheduled, settings_at
from ..source.audio_features import FEATURES
from .sections import (AudioSpan, Clip, Coherence, ColorLock, NoiseSettings, Outputs, Preprocess, Seamless,
                       TransformStep)


def _absolute(value: str, info: ValidationInfo) -> str:
    folder = (info.context or {}).get("folder")
    return value if folder is None or value == "noise" else str((Path(folder) / value).resolve())


FilePath = Annotated[str, AfterValidator(_absolute)]  # a file the preset names, relative to the preset
# a zoo model's name, or a Keras model file (.keras, .h5) resolved like any file the preset names
ModelName = Annotated[str, AfterValidator(lambda v, info: _absolute(v, info) if is_model_file(v) else v)]
Reduce = Literal[REDUCES]
Normalize = Literal[NORMALIZERS]
Channel = Annotated[int, Field(ge=0)]
CHANNEL_MODES = ("strongest", "weakest", "random")  # how `channels: {layer: {MODE: N}}` chooses


class AutoChannels(Strict):
    """Channels the dream chooses itself, on the frame it dreams: {strongest: 8}, {weakest: 4} or
    {random: 6} (docs/objectives.md). Strongest and weakest rank the layer's channels by their
    activation on the frame at the octave dreamed (mean of the square under reduce meansq and l2,
    mean under mean); random draws them with `seed` (default: the render's), the same each frame."""
    strongest: Optional[Annotated[int, Field(ge=1)]] = None
    weakest: Optional[Annotated[int, Field(ge=1)]] = None
    random: Optional[Annotated[int, Field(ge=1)]] = None
    per_octave: bool = False        # choose again at each octave (else once, at the first octave, for all)
    seed: Optional[Annotated[int, Field(ge=0)]] = None  # random's draw; None: the render's seed
    # frame => the channels it dreamed (per_octave: a list per octave, smallest first): the render's
    # record (its sidecar writes it); a frame found here dreams these instead of choosing
    chosen: Optional[dict[int, list[Channel] | list[list[Channel]]]] = None

    @model_validator(mode="before")
    @classmethod
    def _known_keys(cls, data):
        if isinstance(data, dict):
            from ..errors import suggest
            for key in data:
                if key not in cls.model_fields:
                    hint = suggest(str(key), cls.model_fields, listing="")
                    raise ValueError(f"unknown key {key!r} ({hint + ' ' if hint else ''}choose channels by one of "
                                     f"{', '.join(CHANNEL_MODES)}, e.g. {{strongest: 8}}, or list them: [3, 17])")
        return data

    @model_validator(mode="after")
    def _one_mode(self):
        given = [m for m in CHANNEL_MODES if getattr(self, m) is not None]
        if len(given) != 1:
            raise ValueError(f"give one of {', '.join(CHANNEL_MODES)}, e.g. {{strongest: 8}}"
                             + (f", not {' and '.join(given)} together" if given else ""))
        for t, picked in (self.chosen or {}).items():
            lists = picked if self.per_octave else [picked]
            if any(not isinstance(p, list) for p in lists) or (self.per_octave and not lists):
                raise ValueError(f"chosen.{t}: must be " + ("a list of channel lists, one per octave" if self.per_octave
                                                            else "a list of channel numbers"))
            for p in lists:
                if len(p) != self.count or len(set(p)) != len(p):
                    raise ValueError(f"chosen.{t}: must hold {self.count} different channel numbers, got {p}")
        return self

    @property
    def mode(self) -> str:
        return next(m for m in CHANNEL_MODES if getattr(self, m) is not None)

    @property
    def count(self) -> int:
        return getattr(self, self.mode)


def _channels_form(v) -> str:
    return "list" if isinstance(v, (list, tuple)) else "auto"  # (a mapping, or an AutoChannels when dumped)


# layer => the feature maps dreamed (others ignored): listed, or chosen by the dream ({strongest: 8})
Channels = dict[str, Annotated[Annotated[list[Channel], Field(min_length=1), Tag("list")]
                               | Annotated[AutoChannels, Tag("auto")], Discriminator(_channels_form)]]
Seconds = Annotated[float, Field(ge=0, le=60)]


def _class_weights(v):
    """`classes: [pagoda, 11]` => {pagoda: 1.0, 11: 1.0}; keys as text (YAML reads `281:` as a number)."""
    if isinstance(v, (list, tuple)):
        v = {item: 1.0 for item in v}
    return {str(k): w for k, w in v.items()} if isinstance(v, dict) else v


# ImageNet class (name or number) => weight; the names are checked against the model at load
Classes = Annotated[dict[str, float], BeforeValidator(_class_weights), Field(min_length=1)]
Sigma = Annotated[float, Field(ge=0, le=MAX_SIGMA)]  # px of the octave being dreamed
# `smooth:` one sigma, or a cascade of them (their blurs averaged); an error names which form it read
Smooth = Annotated[Annotated[Sigma, Tag("sigma")] | Annotated[tuple[Sigma, ...], Field(min_length=1), Tag("sigmas")],
                   Discriminator(lambda v: "sigmas" if isinstance(v, (list, tuple)) else "sigma")]
MAX_OCTAVE_UP = 4  # each octave above the frame multiplies the pixels to dream by octave_scale**2
# Upper bounds, so a typo or a schedule (`steps: "t*1e12"`) fails at load instead of hanging the
# render. Generous: at the largest size (8192) and octave_scale 1.4, octaves past ~17 are under
# 32 px and skipped anyway, and a tile bigger than the largest frame is one tile.
MAX_STEPS = 1000
NEWER_DREAM_KEYS = ("classes", "tv")  # dream keys newer than frames hashes people have
MAX_OCTAVES = 16
MAX_TILE_SIZE = 8192


def _check_octave_range(v):
    if v is not None and not (1 - MAX_OCTAVES <= v[0] <= v[1] <= MAX_OCTAVE_UP):
        raise ValueError(f"must be [lo, hi] with {1 - MAX_OCTAVES} <= lo <= hi <= {MAX_OCTAVE_UP}, e.g. [-3, 1]")
    return v


def _one_octave_plan(octaves_given: bool, octave_range) -> None:
    if octaves_given and octave_range is not None:
        raise ValueError("give `octaves` or `octave_range`, not both")


class DreamSettings(Strict):
    """How one frame is dreamed."""
    layers: Optional[dict[str, float]] = None   # layer => weight (< 0 suppresses); None: the model's default
    reduce: Reduce = "meansq"
    border: int = Field(0, ge=0)                 # activation pixels left out on each side
    channels: Optional[Channels] = None          # layer => the feature maps dreamed (others ignored)
    guide: Optional[FilePath] = None             # image (relative to the preset) whose features are grown
    steps: int = Field(6, ge=1, le=MAX_STEPS)
    max_loss: Optional[float] = None             # an octave stops stepping once its objective passes this
    step_size: Optional[float] = Field(None, gt=0)  # in units of the [-1, 1] pixel range; None: model's
    octaves: int = Field(3, ge=1, le=MAX_OCTAVES)
    octave_range: Optional[tuple[int, int]] = None  # octaves lo..hi (0 = frame size), instead of `octaves`
    octave_scale: float = Field(1.4, gt=1)
    tile_size: int = Field(512, ge=32, le=MAX_TILE_SIZE)
    normalize: Normalize = "std"
    lap_levels: int = Field(4, ge=1, le=8)       # normalize: laplacian: the pyramid's levels
    smooth: Optional[Smooth] = None              # blur the gradient before a step: sigma(s), px
    classes: Optional[Classes] = None            # ImageNet classes grown through the model's classifier head
    tv: Optional[float] = Field(None, ge=0)      # total variation's weight, subtracted: smoother frames

    @field_validator("layers")
    @classmethod
    def _some_layers(cls, v):
        if v is not None and not v:
            raise ValueError("needs at least one layer")
        return v

    _octave_range = field_validator("octave_range")(_check_octave_range)

    @model_validator(mode="after")
    def _one_plan(self):
        _one_octave_plan("octaves" in self.model_fields_set, self.octave_range)
        return self


def _overrides_of(settings: type[Strict]) -> type[Strict]:
    """`first_frame:` keys replace `dream:` keys for frame 0 only: the same keys, bounds and
    invariants, each key optional (None: as `dream:` says)."""
    def one_plan(self):
        _one_octave_plan(self.octaves is not None, self.octave_range)
        return self

    fields = {name: (Optional[f.annotation], FieldInfo.merge_field_infos(f, default=None))
              for name, f in settings.model_fields.items()}
    return create_model("DreamOverrides", __base__=Strict, __doc__=_overrides_of.__doc__.split(":")[0] + ".",
                        __validators__={"octave_range_ok": field_validator("octave_range")(_check_octave_range),
                                        "one_plan": model_validator(mode="after")(one_plan)},
                        **fields)


DreamOverrides = _overrides_of(DreamSettings)


class Preset(Strict):
    """A whole animation. Paths are resolved; transforms are validated against their signatures."""
    input: FilePath = "noise"            # image or video path (relative to the preset), or "noise"
    noise: NoiseSettings = NoiseSettings()  # what `input: noise` looks like (unused with an image)
    size: int = Field(384, ge=16, le=8192)  # longer side of the frames, pixels
    frames: int = Field(60, ge=1, le=100_000)  # 100,000 frames: over an hour at 24 fps
    seed: int = Field(0, ge=0)  # numpy seeds are non-negative
    model: ModelName = "efficientnet_lite0"  # a name `dreamanim models` lists, or a Keras file (.keras, .h5)
    preprocess: Optional[Preprocess] = None  # a model file: how its pixels are scaled (it cannot be guessed)
    precision: Literal["auto", "float32", "bfloat16"] = "auto"  # auto: bfloat16 where it is faster
    weights: Optional[FilePath] = None   # a local weights file for the model (relative to the preset)
    device: Annotated[str, AfterValidator(device_name)] = "auto"  # auto: TensorFlow's choice; cpu; gpu; gpu:N
    dream: DreamSettings = DreamSettings()
    first_frame: DreamOverrides = DreamOverrides()
    transform: list[TransformStep] = []
    plugins: list[FilePath] = []
    loop: Literal["forward", "reverse", "pingpong", "seamless"] = "forward"
    seamless: Seamless = Seamless()
    color_lock: ColorLock = ColorLock(mode="off")
    clip: Clip = Clip()                  # a video input: the part dreamed (unused with a still)
    coherence: Coherence = Coherence()   # a video input: how frames carry the dream on (flow by default)
    fps: Optional[float] = Field(None, gt=0, le=1000)  # an image sequence input: its frame rate (24 unless given)
    # dream every N-th frame; the frames between are the dreamed ones interpolated along the motion
    cadence: int = Field(1, ge=1, le=24)
    # true/false: keep/drop a video input's sound; a file (relative to the preset): a soundtrack for any
    # input, analysed into audio features for the expressions and carried by the MP4 / WebM
    audio: bool | FilePath = True
    audio_span: AudioSpan = AudioSpan()  # the part of the soundtrack used
    audio_smooth: Optional[Seconds | dict[Literal[FEATURES[:-1]], Seconds]] = None  # blur features over time
    outputs: Outputs = Outputs(**{fmt: {} for fmt in DEFAULT_FORMATS})
    output: Optional[str] = None         # base path of the outputs; default: the preset's name
    # Set by load_preset. Private: not preset keys. The fields above hold frame-0 values; the
    # dream's keyframed values (dreamanim/schedule.py) are resolved per frame by dream_for, the
    # transforms' by the chain (dreamanim/chain.py), built once with their parameters and schedules.
    _dream_schedules: tuple[Scheduled, ...] = PrivateAttr(default=())
    _chain: Any = PrivateAttr(default=None)
    # ((preset key, sha256 of the file), ...) for the guide and weights files: a file replaced
    # under the same name dreams other frames, and --resume must not mix them (the input's is
    # its source's digest). Plugins are left out on purpose: "fix the plugin, then --resume".
    _contents: tuple[tuple[str, str], ...] = PrivateAttr(default=())
    _audio: Any = PrivateAttr(default=None)  # the soundtrack's AudioFeatures (dreamanim/audio_features.py)

    @property
    def soundtrack(self) -> Optional[str]:
        """The soundtrack file (`audio: FILE`), or None."""
        return self.audio if isinstance(self.audio, str) else None

    @property
    def audio_features(self):
        """The soundtrack's AudioFeatures (source/audio_features.py), or None without `audio: FILE`."""
        return self._audio

    @property
    def chain(self):
        from ..motion.chain import Chain
        return self._chain or Chain()

    @property
    def schedules(self) -> tuple[Scheduled, ...]:
        return self._dream_schedules + self.chain.schedules

    def schedules_data(self) -> dict:
        """{key path: schedule as the preset writes it}, for the frames hash and the manifest."""
        return {s.key: s.schedule.as_data() for s in self.schedules}

    @field_validator("transform", mode="before")
    @classmethod
    def _steps(cls, items):
        if not isinstance(items, list):
            raise ValueError("must be a list like [{zoom: {amount: 0.05}}]")
        steps = []
        for item in items:
            if isinstance(item, str):
                item = {item: {}}
            if isinstance(item, TransformStep):
                steps.append(item)
                continue
            if not isinstance(item, dict) or len(item) != 1:
                raise ValueError("each item must be one `name: {param: value}` mapping")
            (name, params), = item.items()
            steps.append({"name": name, "params": params or {}})
        return steps

    def dream_for(self, t: int, fresh: bool = False) -> DreamSettings:
        """Dream settings for frame t: schedules at their frame-t values; frame 0 takes the
        first_frame overrides, and so does a frame that starts afresh (fresh: a video's scene cut).
        Automatic channels come with frame t's recorded choice, if any (_channels_at)."""
        dream = settings_at(self.dream, self._dream_schedules, t, self.frames)
        if t > 0 and not fresh:
            return self._channels_at(dream, t)
        changes = {k: getattr(self.first_frame, k) for k, v in self.first_frame.model_dump().items() if v is not None}
        if "octaves" in changes:  # frame 0's own octave count replaces the dream's octave_range
            changes.setdefault("octave_range", None)
        return self._channels_at(dream.model_copy(update=changes), t)

    def _channels_at(self, dream: DreamSettings, t: int) -> DreamSettings:
        """Automatic channels as frame t dreams them: `chosen` narrowed to frame t's entry (None
        when it has none: the dream chooses), random's seed the render's unless given."""
        if not dream.channels or all(isinstance(v, list) for v in dream.channels.values()):
            return dream
        channels = {}
        for layer, rule in dream.channels.items():
            if not isinstance(rule, list):
                chosen = rule.chosen or {}
                rule = rule.model_copy(update={"chosen": {t: chosen[t]} if t in chosen else None,
                                               "seed": self.seed if rule.seed is None else rule.seed})
            channels[layer] = rule
        return dream.model_copy(update={"channels": channels})

    def frames_data(self) -> dict:
        """Everything of the preset that decides the frames (not how the videos are encoded, and
        not where its files are: their contents count)."""
        keys = self.model_dump(mode="json", exclude={"outputs", "loop", "seamless", "output", "device", "audio",
                                                     "input", "weights", "audio_span", "audio_smooth",
                                                     "fps", "cadence"})
        if self.fps is not None:  # (left out when not given: the frames of earlier renders keep their hash)
            keys["fps"] = self.fps
        if self.cadence != 1:  # (likewise)
            keys["cadence"] = self.cadence
        if self._audio is not None:  # the features the expressions read (the file's contents count below)
            keys["audio"] = {"fps": self._audio.fps, **self.model_dump(mode="json", include={"audio_span",
                                                                                            "audio_smooth"})}
        for section in ("dream", "first_frame"):
            keys[section].pop("guide", None)
            for key in NEWER_DREAM_KEYS:  # left out when not given: earlier renders keep their hash
                if keys[section].get(key) is None:
                    keys[section].pop(key, None)
        for key in ("octaves", "steps"):  # coherence's newer keys: left out when not given (likewise),
            if keys["coherence"].get(key) is None or self.coherence.mode != "flow":  # or unused
                keys["coherence"].pop(key, None)
        keys["schedules"] = self.schedules_data()
        keys["contents"] = dict(self._contents)
        if is_model_file(self.model):  # where the file is does not count; its contents do
            keys["model"] = Path(self.model).name
        return keys
