"""pydantic's ValidationError => one PresetError: each problem by its key path, did-you-mean for unknown keys."""
import typing
from typing import Any, Optional

from pydantic import BaseModel, ValidationError

from ..errors import PresetError, shown, suggest
from ..schedule.keyframes import dotted


def validate(model: type[BaseModel], data: Any, where: str, prefix: tuple = (), *,
             context: Optional[dict] = None) -> Any:
    """model.model_validate(data, context=context), or one PresetError naming each problem's key."""
    try:
        return model.model_validate(data, context=context)
    except ValidationError as exc:
        problems = [_describe(model, prefix, tuple(e["loc"]), e) for e in exc.errors()]
        more = f" (+{len(problems) - 3} more)" if len(problems) > 3 else ""
        raise PresetError(where, "; ".join(problems[:3]) + more,
                          "fix the preset or --set; keys are documented in docs/presets.md") from None


def _describe(model: type[BaseModel], prefix: tuple, loc: tuple, err: dict) -> str:
    full = _without_forms(prefix + loc)
    key = dotted([p for p in full if p not in ("name", "params") or not _in_transform(full)])
    if err["type"] == "extra_forbidden":
        known = _known_keys(model, loc[:-1])
        hint = suggest(str(loc[-1]), known, listing="") or (f"known: {', '.join(known)}" if known else "")
        return f"{key}: unknown key{'; ' + hint if hint else ''}"
    msg = err["msg"].replace("Input should be", "must be").replace("Value error, ", "")
    got = err.get("input")
    got_text = f", got {shown(got)}" if got is not None and not isinstance(got, (dict, list)) else ""
    return f"{key}: {msg}{got_text}"


def _without_forms(loc: tuple) -> tuple:
    """The key path as the user wrote it: pydantic puts the name of a tagged union's form into
    the path (channels.LAYER.auto.strongest, smooth.sigmas.0); the preset has no such key."""
    kept = []
    for i, part in enumerate(loc):
        owner = loc[i - 2] if i >= 2 and part in ("list", "auto") else loc[i - 1] if i and part in ("sigma", "sigmas") else None
        if owner not in ("channels", "smooth"):
            kept.append(part)
    return tuple(kept)


def _in_transform(loc: tuple) -> bool:
    return bool(loc) and loc[0] == "transform"


def _known_keys(model: type[BaseModel], loc: tuple) -> list[str]:
    """Field names of the sub-model at loc (for did-you-mean on unknown keys)."""
    for part in loc:
        if isinstance(part, int) or model is None:
            continue
        field = model.model_fields.get(part)
        model = _model_in(field.annotation) if field else None
    return list(model.model_fields) if model else []


def _model_in(annotation) -> Optional[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _model_in(arg)
        if found:
            return found
    return None
