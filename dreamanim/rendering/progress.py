"""Progress with tqdm (on stderr; in a notebook, its notebook bars: tqdm.auto): a bar over frames with ETA, and one over the steps of the current frame."""
from tqdm.auto import tqdm


class Bars:
    def __init__(self):
        self._frames = self._inner = None

    def frames(self, total: int, done: int) -> None:
        self._frames = tqdm(total=total, initial=done, desc="frames", unit="frame", dynamic_ncols=True)

    def frame(self, t: int, steps: int) -> None:
        self._inner = tqdm(total=steps, desc=f"frame {t + 1}", unit="step", leave=False,
                           dynamic_ncols=True, position=1)

    def step(self, objective: float) -> None:
        if self._inner is not None:
            self._inner.update(1)
            if objective:
                self._inner.set_postfix(objective=f"{objective:.3g}", refresh=False)

    def frame_done(self, t: int) -> None:
        self._close_inner()
        self._frames.update(1)

    def writing(self, name: str, total: int) -> None:
        self._close_frames()
        self._inner = tqdm(total=total, desc=f"writing {name}", unit="frame", leave=False, dynamic_ncols=True)

    def wrote_frame(self) -> None:
        if self._inner is not None:
            self._inner.update(1)

    def written(self) -> None:
        self._close_inner()

    def close(self) -> None:
        self._close_inner()
        self._close_frames()

    def _close_inner(self) -> None:
        if self._inner is not None:
            self._inner.close()
            self._inner = None

    def _close_frames(self) -> None:
        if self._frames is not None:
            self._frames.close()
            self._frames = None
