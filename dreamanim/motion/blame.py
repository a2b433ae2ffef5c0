"""Naming the culprit when a transform fails: the file:line it failed at, its exception on one line,
and whether its output broke the contract (shape, dtype, finite values)."""
import sys
import traceback
from pathlib import Path
from typing import Any, Optional

import numpy as np


def exception_text(exc: BaseException) -> str:
    """`Type: message` for a one-line error (a SyntaxError without its repeated file name)."""
    if isinstance(exc, SystemExit):  # not an error of its own: the plugin asked Python to stop
        return f"it called sys.exit({'' if exc.code is None else repr(exc.code)})"
    message = exc.msg if isinstance(exc, SyntaxError) else str(exc)
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__


def location(exc: BaseException, file: str) -> str:
    """`file:line` of the last line of `file` the exception passed through, so users can jump there."""
    line = failing_line(exc, file)
    return f"{file}:{line}" if line else file


def failure_where(info, exc: BaseException) -> str:
    """`transform 'name' (file:line)`: the transform's line the exception came through."""
    line = failing_line(exc, info.source)
    return f"transform {info.name!r} ({info.source}:{line})" if line else info.label


def value_error_text(info, exc: ValueError) -> str:
    """A transform's ValueError as the parameter problem it reports. One raised deep in a
    library (numpy's `scale < 0`) names no parameter, so add the transform's line that called it."""
    files = [frame.f_code.co_filename for frame, _ in traceback.walk_tb(exc.__traceback__)]
    raised_in = files[-1] if files else info.source
    ours = raised_in == info.source or raised_in.startswith(str(Path(__file__).parent))
    line = failing_line(exc, info.source)
    return str(exc) if ours or not line else f"{exception_text(exc)} at {info.source}:{line}"


def failing_line(exc: BaseException, file: str) -> Optional[int]:
    if isinstance(exc, SyntaxError) and exc.filename == file:
        return exc.lineno
    lines = [n for frame, n in traceback.walk_tb(exc.__traceback__) if frame.f_code.co_filename == file]
    return lines[-1] if lines else None


def import_fix(exc: BaseException, fix: str) -> str:
    if isinstance(exc, ModuleNotFoundError) and exc.name:
        return f"install {exc.name} into the Python that runs dreamanim ({sys.executable}), or {fix}"
    return fix


def output_problem(before: np.ndarray, after: Any) -> Optional[tuple[str, str]]:
    """(what, fix) if a transform's output breaks the contract (a finite array of the input's
    shape and dtype), else None. Values outside 0..255 are not a problem: the loop clips them."""
    if not isinstance(after, np.ndarray):
        return (f"returned {type(after).__name__}, not a numpy array",
                "return an array shaped like the input frame")
    if after.shape != before.shape or after.dtype != before.dtype:
        return (f"returned {after.dtype} {after.shape}, expected {before.dtype} {before.shape}",
                f"return an array of the input's shape and dtype, e.g. out.astype(np.{before.dtype})")
    if not np.isfinite(after).all():
        return "returned NaN or infinite values", "keep every value finite, 0..255"
    return None
