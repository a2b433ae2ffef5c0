"""Where the frames come from, as a table like FORMATS: SOURCES (kind => module), open_source(input, ...) => a Source.

A Source has
    frame(t)          its own picture at frame t (a still's is the same at every t)
    begin(t, previous, move, since=1)  a Start: the picture frame t is dreamed from (and, for a
                      moving picture, how much of the previous dream each pixel carries);
                      `previous` is the dream of frame t-since as saved (None for the first frame
                      of a render) and `move` the transform chain from that frame to t
    frames, fps       how many frames and how fast it has of its own (None for a still)
    digest            what its content hashes to: a render's frames depend on it
    sound             (file, start seconds, seconds per frame) of its sound track, or None

Each kind's module has claims(input) (is this input mine?), span(input, clip, fps, where) (the
kept frames of a moving picture, a ClipSpan; None for a still), open(input, size, **settings)
and check(input, size, where) (fail at load time, not mid-render). A kind's `keys` are the
moving-picture preset keys it takes; the preset refuses the others for it.
"""
import importlib
from dataclasses import dataclass
from typing import Callable, Optional, Protocol

import numpy as np



@dataclass(frozen=True)
class Start:
    """What frame t is dreamed from: the picture, and for a moving picture that carries the
    previous dream along the flow, `carried` (H x W, 0..1: the share of the previous dream's
    detail each pixel took over, 0 on new content) and `fresh` (a scene cut: start afresh, as
    on frame 0). A still, noise, or `coherence: none | blend` give neither."""
    frame: np.ndarray
    carried: Optional[np.ndarray] = None
    fresh: bool = False


class Source(Protocol):
    frames: Optional[int]
    fps: Optional[float]
    digest: str
    sound: Optional[tuple[str, float, float]]

    def frame(self, t: int) -> np.ndarray: ...
    def begin(self, t: int, previous: Optional[np.ndarray], move: Callable[[np.ndarray], np.ndarray],
              since: int = 1) -> Start: ...


@dataclass(frozen=True)
class SourceKind:
    name: str
    module: str                 # imported only when an input is asked about
    keys: tuple[str, ...] = ()  # the moving-picture keys (MOVING_KEYS) it takes
    about: str = ""

    def load(self):
        return importlib.import_module(self.module)


MOVING_KEYS = ("clip", "coherence", "audio", "fps")  # preset keys only some kinds take (audio: a FILE goes anywhere)

# Asked in this order: the first kind that claims an input opens it (a still takes whatever is left).
SOURCES = {kind.name: kind for kind in (
    SourceKind("noise", "dreamanim.source.noise", (), "`input: noise`: seeded noise, shaped by `noise:`"),
    SourceKind("video", "dreamanim.source.video", ("clip", "coherence", "audio"),
               "a clip ffmpeg reads (mp4, mov, webm, mkv, avi, an animated GIF), with its sound"),
    SourceKind("sequence", "dreamanim.source.sequence", ("clip", "coherence", "fps"),
               "a folder of frames or a glob (`shots/`, `shots/frame_*.png`), sorted naturally, at `fps:`"),
    SourceKind("image", "dreamanim.source.still", (), "one picture Pillow reads (PNG, JPEG, ...)"),
)}


def kind_of(input: str) -> SourceKind:
    return next(kind for kind in SOURCES.values() if kind.load().claims(input))


def open_source(input: str, size: int, seed: int, noise_settings, *, clip=None, coherence=None,
                every: int = 1, fps: Optional[float] = None, cadence: int = 1) -> Source:
    """The preset's `input` (an absolute path, a folder or glob, or `noise` drawn with `noise:`
    settings and the seed); a moving picture is read through `clip:` and carried on by
    `coherence:` (video.py). every: a preview's K (a moving picture keeps every K-th frame);
    cadence: frames dreamed apart (the in-betweens need the frames between at hand)."""
    return kind_of(input).load().open(input, size, seed=seed, noise_settings=noise_settings, clip=clip,
                                      coherence=coherence, every=every, fps=fps, cadence=cadence)
