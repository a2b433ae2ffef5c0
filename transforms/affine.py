"""Any affine map about a point: shear, squash, rotate and zoom in one matrix."""
import numpy as np

from dreamanim import FrameContext, affine, transform


@transform("affine")
def affine_map(frame, ctx: FrameContext, *,
               matrix: tuple[tuple[float, ...], ...] = ((0.98, 0.02), (0.0, 0.98)),
               center: tuple[float, float] = (0.5, 0.5), border: affine.Border = "reflect", order: int = 1):
    """Resample through a 2x2 [row, col] matrix (2x3: plus an offset column) about center, per frame."""
    try:
        m = np.asarray(matrix, dtype=np.float64)
    except (TypeError, ValueError):  # ragged rows
        m = None
    if m is None or m.shape not in ((2, 2), (2, 3)) or not np.isfinite(m).all():
        raise ValueError(f"matrix must be 2x2 [[a, b], [c, d]] or 2x3 with an offset column "
                         f"[[a, b, dy], [c, d, dx]] of finite numbers, got {matrix!r}")
    # As in scipy.ndimage.affine_transform, M maps output pixels to input ones (so 0.95 zooms *in*):
    # output o samples the input at c + M (o - c) + offset.
    offset = m[:, 2] if m.shape[1] == 3 else (0.0, 0.0)
    return affine.matrix(frame, m[:, :2], offset=offset, center=affine.point(frame, center),
                         border=border, order=order)
