"""A moving picture as a Source: frame t is kept source frame t, dreamed from the previous dream carried onto it.

MovingSource serves a video clip (this module's SOURCES entry: claims/span/open/check) and an
image sequence (sequence.py) alike: each hands it a reader whose frame(k) is kept frame k.

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
from .pixels import check_shape
from .table import Start
from .video_span import clip_span, is_video, probe


def claims(input: str) -> bool:
    return is_video(input)


def span(input: str, clip, fps, where: str) -> ClipSpan:
    return clip_span(input, clip, where)


def open(input: str, size: int, *, clip, coherence, every: int = 1, cadence: int = 1, **_) -> "MovingSource":
    """every: a preview's K (it keeps every K-th of the kept frames); cadence: frames dreamed
    apart (the source keeps that many + 1 decoded frames at hand for the in-betweens)."""
    kept = every_kth(clip_span(input, clip, "input"), every)
    # The sound that goes with the kept frames: (file, start seconds, seconds per kept frame).
    sound = (input, kept.start_seconds, kept.every / kept.info.fps) if kept.info.has_audio else None
    return MovingSource(ClipReader(input, size, kept), kept, file_sha256(input), sound, coherence, cadence + 1)


def check(input: str, size: int, where: str) -> None:
    info = probe(input, where)  # probed when the frame count was settled: it decodes
    check_shape(info.height, info.width, size, where)


def every_kth(span: ClipSpan, every: int) -> ClipSpan:
    """A preview's K: every K-th of the kept frames."""
    return span if every == 1 else ClipSpan(span.info, span.first, span.stop, span.every * every)


class MovingSource:
    def __init__(self, reader, span: ClipSpan, digest: str, sound, coherence, window: int = 2):
        """reader.frame(k): kept frame k (ClipReader, sequence.SequenceReader); window: how many
        of the latest frames stay decoded (begin() needs t-1 and t; a cadence more)."""
        self.coherence, self.digest, self.sound = coherence, digest, sound
        self.frames, self.fps = span.frames, span.fps
        self._reader, self._window = reader, max(2, window)
        self._recent: dict[int, np.ndarray] = {}

    def frame(self, t: int) -> np.ndarray:
        if t not in self._recent:
            # read forward frame by frame, keeping the latest `window` (a decoder is sequential anyway)
            start = t if not self._recent or t < max(self._recent) or t - max(self._recent) > self._window \
                else max(self._recent) + 1
            for k in range(start, t + 1):
                self._recent[k] = self._reader.frame(k)
            self._recent = {k: v for k, v in self._recent.items() if t - self._window < k <= t}
        return self._recent[t]

    def begin(self, t: int, previous: Optional[np.ndarray], move: Callable[[np.ndarray], np.ndarray],
              since: int = 1) -> Start:
        """previous: the dream of frame t - since (since > 1 under a cadence)."""
        now = self.frame(t)
        mode = self.coherence.mode
        if previous is None or mode == "none":
            return Start(now)
        if mode == "blend":
            return Start(blend(move(previous), now, self.coherence.blend))
        before = self.frame(t - since)
        moved_source = move(before)
        # carry() moves (dream - source) along the flow before -> now; with the chain applied to
        # both, that difference is the moved dream's detail over the moved picture.
        dream = move(previous) - moved_source + before
        start, mask, cut = carry(dream, before, now, decay=self.coherence.decay)
        return Start(start, carried=np.zeros_like(mask) if cut else mask, fresh=cut)
