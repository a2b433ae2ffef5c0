"""One progress bar over a batch: frames done of all jobs (with ETA), and jobs done, from the workers' events.

    bar = BatchBar(totals={name: frames}, enabled=True); bar(("frames", name, done)); bar(("finished", outcome))
"""
from typing import Optional


class BatchBar:
    def __init__(self, totals: dict[str, int], enabled: bool = True, skipped: int = 0):
        self.totals, self.done, self.jobs, self.failed = dict(totals), {}, skipped, 0
        self.count = len(totals) + skipped
        self._bar: Optional[object] = None
        if enabled:
            from tqdm.auto import tqdm
            self._bar = tqdm(total=sum(self.totals.values()), desc="batch", unit="frame", dynamic_ncols=True)
            self._postfix()

    def __call__(self, event: tuple) -> None:
        if event[0] == "frames":
            _, name, done = event
            self._advance(name, done)
        elif event[0] == "finished":
            outcome = event[1]
            self.jobs += 1
            self.failed += outcome["status"] != "done"
            self._advance(outcome["name"], self.totals.get(outcome["name"], 0))  # a failed job counts as over
            self._postfix()

    def _advance(self, name: str, done: int) -> None:
        step = max(0, min(done, self.totals.get(name, done)) - self.done.get(name, 0))
        self.done[name] = self.done.get(name, 0) + step
        if self._bar is not None and step:
            self._bar.update(step)

    def _postfix(self) -> None:
        if self._bar is not None:
            failed = f", {self.failed} failed" if self.failed else ""
            self._bar.set_postfix_str(f"jobs {self.jobs}/{self.count}{failed}")

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
