"""The files a preset names besides its input (weights, guides, a model file, a soundtrack): sha256 digests of what they hold."""
from ..common.digests import file_sha256
from ..errors import InputError
from .schema import Preset


def content_digests(preset: Preset, where: str) -> tuple[tuple[str, str], ...]:
    """((preset key, sha256 of the file), ...) for the weights, guide and model files (paths absolute)."""
    from ..engine.models import is_model_file
    files = {"weights": preset.weights, "dream.guide": preset.dream.guide,
             "first_frame.guide": preset.first_frame.guide,
             "model": preset.model if is_model_file(preset.model) else None, "audio": preset.soundtrack}
    digests = []
    for key, path in files.items():
        if path:
            try:
                digests.append((key, file_sha256(path)))
            except OSError as exc:  # the checks saw the file; it may still be unreadable (permissions)
                raise InputError(f"{where}: {key}", f"cannot read {path}: {exc.strerror}",
                                 "check the file's permissions") from None
    return tuple(digests)
