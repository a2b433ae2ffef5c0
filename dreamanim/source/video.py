"""A video clip as a Source: frame t is kept source frame t, dreamed from the previous dream carried onto it.

    coherence none    each source frame dreamed on its own (the flicker baseline)
    coherence blend   the new source frame mixed with the previous dream (the peers' method)
    coherence flow    the previous dream's detail (dream - source) moved along the optical flow
                      of the source onto the new frame, faded by `decay`, masked where the
                      flow cannot be trusted; a scene cut starts the dream afresh (coherence.py)

The preset's transforms move the carried dream, as they move the previous frame of a still:
`move` is the chain between frame t-1 and t; it moves the previous source frame too, so only
the dream's detail travels, not a second copy of the picture under it.
"""
from typing import Callable, Optional

import numpy as np

from .clip import ClipReader, ClipSpan
from .coherence import blend, carry
from ..common.digests import file_sha256
from .video_span import clip_span


class VideoSource:
    def __init__(self, path: str, size: int, span: ClipSpan, coherence):
        self.path, self.coherence = path, coherence
        self.frames, self.fps = span.frames, span.fps
        self.digest = file_sha256(path)
        # The sound that goes with the kept frames: (file, start seconds, seconds per kept frame).
        self.sound = (path, span.start_seconds, span.every / span.info.fps) if span.info.has_audio else None
        self._reader = ClipReader(path, size, span)
        self._recent: dict[int, np.ndarray] = {}  # frames t-1 and t: begin() needs both

    @classmethod
    def open(cls, path: str, size: int, clip, coherence, every: int = 1) -> "VideoSource":
        """every: a preview's K (it keeps every K-th of the kept frames)."""
        span = clip_span(path, clip, "input")
        if every > 1:
            span = ClipSpan(span.info, span.first, span.stop, span.every * every)
        return cls(path, size, span, coherence)

    def frame(self, t: int) -> np.ndarray:
        if t not in self._recent:
            self._recent = {k: v for k, v in self._recent.items() if k == t - 1}
            self._recent[t] = self._reader.frame(t)
        return self._recent[t]

    def begin(self, t: int, previous: Optional[np.ndarray], move: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
        now = self.frame(t)
        mode = self.coherence.mode
        if previous is None or mode == "none":
            return now
        if mode == "blend":
            return blend(move(previous), now, self.coherence.blend)
        before = self.frame(t - 1)
        moved_source = move(before)
        # carry() moves (dream - source) along the flow before -> now; with the chain applied to
        # both, that difference is the moved dream's detail over the moved picture.
        dream = move(previous) - moved_source + before
        return carry(dream, before, now, decay=self.coherence.decay)[0]
