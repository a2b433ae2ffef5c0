"""What a batch renders: presets x inputs x sweeps (or a batch file's entries x sweeps) => named Jobs.

    expand(presets=[...], inputs=[...], sweeps=["dream.step_size=0.01,0.02"], sets=[...]) => [Job, ...]

A sweep `KEY=v1,v2,...` is one --set per value; several sweeps are all their combinations. A
batch file is a YAML list of {preset, input, set} (set: a mapping of keys, or a list of
KEY=VALUE texts). Each job is named from what varies across the jobs (naming.py).
"""
import glob
import itertools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional, Sequence

from ..errors import InputError, PresetError
from .naming import name_jobs


@dataclass(frozen=True)
class Job:
    preset: str                           # the preset file
    overrides: tuple[str, ...] = ()       # --set texts: the batch's own, then the job's
    factors: tuple[tuple[str, str], ...] = ()  # (label, value) of everything that may vary
    name: str = ""                        # the job's folder under -o DIR
    varies: tuple[tuple[str, str], ...] = field(default=())  # the factors that differ between jobs

    @property
    def label(self) -> str:
        return ", ".join(f"{k}={v}" if k not in ("preset", "input") else v for k, v in self.varies) or self.name

    def params(self) -> dict:
        return {"preset": self.preset, "set": list(self.overrides), "varies": dict(self.varies)}


def expand(presets: Sequence[str] = (), *, inputs: Sequence[str] = (), sweeps: Sequence[str] = (),
           sets: Sequence[str] = ()) -> list[Job]:
    """Every job of a batch, named. A preset that is a batch file (a YAML list) adds its entries."""
    bases = []  # (preset, overrides, factors)
    for preset in presets:
        entries = batch_file(preset)
        if entries is None:
            bases.append((str(preset), (), (("preset", Path(preset).stem),)))
        else:
            bases += entries
    if not bases:
        raise InputError("batch", "no preset given", "give one or more presets, or a batch file (a YAML list)")
    files = [str(Path(f).resolve()) for pattern in inputs for f in _matches(pattern)]  # (from the current folder)
    if files:
        bases = [(p, o + (f"input={f}",), fa + (("input", Path(f).stem),)) for p, o, fa in bases for f in files]
    axes = [_sweep(text) for text in sweeps]
    jobs = []
    for preset, overrides, factors in bases:
        for combo in itertools.product(*axes):
            sets_ = tuple(sets) + overrides + tuple(f"{k}={v}" for k, v in combo)
            jobs.append(Job(preset, sets_, factors + tuple(combo)))
    return name_jobs(jobs)


def _matches(pattern: str) -> list[str]:
    """The files a --inputs pattern matches in the current folder (a plain path: itself), or InputError."""
    found = sorted(glob.glob(pattern))
    if not found:
        raise InputError(f"--inputs {pattern}", f"matches no file in {Path.cwd()}",
                         "check the pattern: it is read from the current folder, like any path on the command "
                         "line; quote it, e.g. --inputs 'photos/*.jpg'")
    return found


def _sweep(text: str) -> list[tuple[str, str]]:
    key, sep, values = text.partition("=")
    items = [v.strip() for v in values.split(",")] if sep else []
    if not key.strip() or not items or not all(items):
        raise PresetError(f"--sweep {text}", "is not KEY=VALUE1,VALUE2,...",
                          "e.g. --sweep dream.step_size=0.01,0.02,0.04")
    return [(key.strip(), v) for v in items]


def batch_file(path: str) -> Optional[list[tuple[str, tuple, tuple]]]:
    """A batch file's entries as (preset, overrides, factors), or None if `path` is a preset (a mapping)."""
    from ..preset.strict_yaml import load_yaml
    path = Path(path)
    if not path.is_file():
        raise PresetError(str(path), "preset file not found", "check the path; shipped presets are in presets/")
    data = load_yaml(path.read_text(encoding="utf-8"), str(path))
    if not isinstance(data, list):
        return None
    entries = []
    for i, entry in enumerate(data):
        where = f"{path}[{i}]"
        if not isinstance(entry, dict) or "preset" not in entry or set(entry) - {"preset", "input", "set"}:
            raise PresetError(where, "a batch file entry is {preset, input, set}",
                              "e.g. - {preset: cat.yaml, input: photos/cat.jpg, set: {dream.steps: 4}}")
        preset = str((path.parent / str(entry["preset"])).resolve())
        sets = entry.get("set") or {}
        texts = [f"{k}={v}" for k, v in sets.items()] if isinstance(sets, dict) else [str(s) for s in sets]
        factors = [("preset", Path(preset).stem)]
        if entry.get("input") is not None:
            source = str((path.parent / str(entry["input"])).resolve())
            texts.insert(0, f"input={source}")
            factors.append(("input", Path(source).stem))
        factors += [tuple(t.split("=", 1)) for t in texts if not t.startswith("input=")]
        entries.append((preset, tuple(texts), tuple(factors)))
    return entries
