"""What a batch leaves beside its jobs: DIR/batch.json (every job: parameters, status, outputs,
seconds, error) and DIR/batch.sheet.png (one row per job, a few frames each, labelled with what varies).

    write_report(dir, outcomes, settings) ; previous(dir) => {name: outcome} ; write_sheet(dir, outcomes)
"""
import json
from pathlib import Path
from typing import Optional

import numpy as np

REPORT, SHEET = "batch.json", "batch.sheet.png"
PER_ROW = 4
MIN_CELL, MAX_CELL = 200, 256  # px of a cell: labels readable under small frames; a long batch not huge


def write_report(out_dir: Path, outcomes: list[dict], settings: dict) -> Path:
    from .. import __version__
    from ..common.writers import write_text
    path = Path(out_dir) / REPORT
    jobs = [{k: v for k, v in o.items() if k != "pid"} for o in outcomes]
    write_text(path, json.dumps({"dreamanim": __version__, "settings": settings, "jobs": jobs}, indent=2) + "\n")
    return path


def previous(out_dir: Path) -> dict[str, dict]:
    """The jobs an earlier run of this batch finished (their outputs all still there), by name."""
    try:
        jobs = json.loads((Path(out_dir) / REPORT).read_text())["jobs"]
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    return {j["name"]: j for j in jobs if isinstance(j, dict) and j.get("status") == "done"
            and j.get("outputs") and all(Path(p).exists() for p in j["outputs"].values())}


def write_sheet(out_dir: Path, outcomes: list[dict]) -> Optional[Path]:
    """One row per job: up to PER_ROW frames picked evenly, the first labelled with what varies."""
    from ..rendering.contact_sheet import BACKGROUND, _read_frame, frame_files, grid, pick_evenly
    from ..common.writers import write_png
    images, labels, blank = [], [], np.full((8, 8, 3), BACKGROUND, np.uint8)
    for o in outcomes:
        folder = Path(o["frames_folder"]) if o.get("frames_folder") else None
        files = frame_files(folder) if folder and folder.is_dir() else []
        name = _varies(o)
        row = [(_read_frame(files[i]), name if j == 0 else f"frame {i + 1}")
               for j, i in enumerate(pick_evenly(len(files), PER_ROW))]
        if not row:
            row = [(blank, name), (blank, f"({o.get('status')})")]
        row += [(blank, "")] * (PER_ROW - len(row))
        images += [im for im, _ in row]
        labels += [label for _, label in row]
    if not images:
        return None
    path = Path(out_dir) / SHEET
    frames = [max(im.size) for im in images if not isinstance(im, np.ndarray)]
    side = min(MAX_CELL, max([MIN_CELL] + frames))
    write_png(path, grid(images, labels, columns=PER_ROW, cell=side))
    return path


def _varies(outcome: dict) -> str:
    varies = outcome.get("varies") or {}
    text = ", ".join(v if k in ("preset", "input") else f"{k.split('.')[-1]}={v}" for k, v in varies.items())
    return text or outcome["name"]
