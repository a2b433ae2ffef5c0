"""`--set KEY=VALUE` => the preset's raw data with VALUE (read as YAML) at the dotted path KEY."""
import json
import re
from pathlib import Path
from typing import Any

import yaml

from ..errors import PresetError, shown, suggest
from ..schedule.keyframes import dotted
from .strict_yaml import StrictLoader


_OVERRIDE = re.compile(r"^\s*([A-Za-z_][\w.\[\]]*)\s*=(.*)$", re.S)


def parse_override(text: str) -> tuple[list, Any]:
    m = _OVERRIDE.match(text)
    if not m:
        raise PresetError(f"--set {shown(text, quote=False)}", "expected KEY=VALUE", "e.g. --set dream.steps=5")
    value = _value(m.group(2), text) if m.group(2).strip() else None
    key = [int(p) if p.isdigit() else p for p in re.split(r"[.\[\]]+", m.group(1)) if p]
    return key, value


# The keys whose values are files: typed on the command line, they are relative to the current
# folder (as for every other command-line tool), not to the preset's folder.
PATH_KEYS = {("input",), ("audio",), ("weights",), ("plugins",), ("dream", "guide"), ("first_frame", "guide")}


def from_folder(text: str, folder: Path) -> str:
    """A --set text with its file path (input, audio, weights, a guide, plugins) made absolute
    from `folder`; any other text as it was. `input=noise` stays noise."""
    m = _OVERRIDE.match(text)
    if not m:
        return text
    key, value = parse_override(text)
    path_key = tuple(k for k in key if not isinstance(k, int))
    if path_key not in PATH_KEYS:
        return text

    def absolute(v):
        if not isinstance(v, str) or not v.strip() or (path_key == ("input",) and v == "noise"):
            return v
        return str(Path(folder) / Path(v).expanduser())

    value = [absolute(v) for v in value] if isinstance(value, list) else absolute(value)
    return f"{m.group(1)}={json.dumps(value)}"


def _value(raw: str, text: str) -> Any:
    """VALUE read as YAML (strictly: no duplicate keys, no .inf/.nan); not YAML => the raw string."""
    loader = StrictLoader(raw, where="VALUE")
    try:
        return loader.get_single_data()
    except yaml.YAMLError:
        return raw
    except PresetError as e:
        raise PresetError(f"--set {shown(text, quote=False)}", e.what, e.fix) from None
    finally:
        loader.dispose()


def set_dotted(data: dict, key: list, value: Any, text: str) -> None:
    node = data
    for i, part in enumerate(key[:-1]):
        nxt = key[i + 1]
        if not isinstance(node, (dict, list)):  # `--set frames.x.y=1`: frames holds a number
            raise PresetError(f"--set {shown(text, quote=False)}", f"{dotted(key[:i])} is {shown(node)}, not a mapping or list",
                              "check the key path")
        if isinstance(node, list):
            if not isinstance(part, int) or part >= len(node):
                raise PresetError(f"--set {shown(text, quote=False)}", f"no item [{part}] in {dotted(key[:i])}",
                                  f"it has {len(node)} item(s), counted from 0")
            if key[:i] == ["transform"] and isinstance(node[part], str):
                node[part] = {node[part]: {}}  # the short form `transform: [zoom]`, given its params
            if key[:i] == ["transform"] and isinstance(node[part], dict) and len(node[part]) == 1 \
                    and i + 1 < len(key) - 1 and nxt not in node[part]:  # `transform[0].zooom.amount=`
                (name,) = node[part]
                meant = f"transform[{part}].{name}." + ".".join(str(k) for k in key[i + 2:])
                fix = (f"did you mean {meant}?" if suggest(str(nxt), [name], listing="") else
                       f"set {meant}, or replace the step: --set 'transform[{part}]={{{nxt}: {{PARAM: VALUE}}}}'")
                raise PresetError(f"--set {shown(text, quote=False)}", f"transform[{part}] is {name}, not {nxt}", fix)
            node = node[part]
            continue
        if part not in node or node[part] is None:
            node[part] = [] if isinstance(nxt, int) else {}
        node = node[part]
    last = key[-1]
    if isinstance(node, list) and isinstance(last, int) and last < len(node):
        node[last] = value
    elif isinstance(node, dict):
        node[last] = value
    elif not isinstance(node, list):
        raise PresetError(f"--set {shown(text, quote=False)}", f"{dotted(key[:-1])} is {shown(node)}, not a mapping or list",
                          "check the key path")
    else:
        raise PresetError(f"--set {shown(text, quote=False)}", f"cannot set {dotted(key)}", "check the key path")
