"""Import TensorFlow quietly: its C++ start-up lines go to /dev/null, not the user's terminal."""
import os
import sys


def import_tensorflow_quietly() -> None:
    """Import TensorFlow with file descriptor 2 pointed at /dev/null.

    Its C++ start-up lines (absl's pre-init warning, CUDA probing on a machine without a
    GPU) are written straight to fd 2 during the import, before TF_CPP_MIN_LOG_LEVEL or any
    Python logging setting is consulted. Errors still surface: as Python exceptions."""
    if "tensorflow" in sys.modules:
        return
    sys.stderr.flush()
    saved, devnull = os.dup(2), os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        import tensorflow  # noqa: F401
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)
