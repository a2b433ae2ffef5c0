"""A client's preset (JSON or YAML, files named by reference) => the dict api.render gets, every path the studio's own.

    client = from_yaml(text)                         # or the JSON object itself; RequestError if unreadable
    data = to_api(client, media, allow_plugins)     # references => absolute paths; paths refused
    check(client, media, allow_plugins)              # the CLI's validation: PresetError / RequestError

The files a preset may name (input, audio, a guide, plugins) must be references the studio
resolves itself (`sample:chelsea.png`, `upload:<id>`); `weights`, a model file and `output`
are refused: the studio names each job's files, and reads no file a client names.
"""
import copy
import re
from typing import Any

import yaml

from .. import api
from ..errors import DreamanimError, PresetError
from .refs import Media, RequestError

WHERE = "preset"
PLUGIN_WHY = ("a plugin is Python code that runs with your rights; start the studio with --allow-plugins "
              "if you trust this preset, or render it with `dreamanim render`")


def from_yaml(text: str) -> dict:
    """YAML text => the preset's data; a syntax error, a duplicate key, a non-finite number or an
    alias bomb is the CLI's one line (preset.strict_yaml: the one YAML reader)."""
    from ..preset.strict_yaml import load_yaml
    if not isinstance(text, str):
        raise RequestError(WHERE, "the YAML must be text", "send {\"yaml\": \"...\"}")
    data = load_yaml(text, WHERE)
    if not isinstance(data, dict):
        raise PresetError(WHERE, "a preset must be a mapping of keys like `frames: 60`", "see docs/presets.md")
    return data


def to_yaml(data: dict) -> str:
    """The preset's data as YAML, keys in the order given: one key a line at the top, the innermost
    mappings and lists inline (`layers: {block9_add: 1.0}`), as the shipped presets are written."""
    if not isinstance(data, dict):
        return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    return "".join(yaml.safe_dump({key: value}, sort_keys=False, allow_unicode=True, width=100,
                                  default_flow_style=None if isinstance(value, (dict, list)) and value else False)
                   for key, value in data.items())


def to_api(client: Any, media: Media, allow_plugins: bool) -> dict:
    """The dict api.render may be given: a deep copy with every file reference made an absolute path."""
    if not isinstance(client, dict):
        raise RequestError(WHERE, "a preset must be a mapping of keys like `frames: 60`", "see docs/presets.md")
    data = copy.deepcopy(client)
    for key, why in (("output", "the studio names each job's files itself"),
                     ("weights", "the studio reads no weights file a client names")):
        if key in data:
            raise RequestError(f"{WHERE}: {key}", why, f"leave `{key}:` out, or render with `dreamanim render`",
                               keys=[key])
    if isinstance(data.get("model"), str) and data["model"] not in {m["name"] for m in api.models()}:
        raise RequestError(f"{WHERE}: model", f"{data['model']!r} is not a model name (a model file is not "
                           "taken from a client)", "pick one `dreamanim models` lists", keys=["model"])
    if data.get("input", "noise") != "noise":
        data["input"] = str(media.resolve(data["input"], ("image", "video"), f"{WHERE}: input"))
    if isinstance(data.get("audio"), str):
        data["audio"] = str(media.resolve(data["audio"], ("audio", "video"), f"{WHERE}: audio"))
    for section in ("dream", "first_frame"):
        if isinstance(data.get(section), dict) and data[section].get("guide") is not None:
            data[section]["guide"] = str(media.resolve(data[section]["guide"], ("image",), f"{WHERE}: {section}.guide"))
    if data.get("plugins"):
        if not allow_plugins:
            raise RequestError(f"{WHERE}: plugins", "the studio runs no plugins unless it was started with "
                               "--allow-plugins", PLUGIN_WHY, status=403, keys=["plugins"])
        if not isinstance(data["plugins"], list):
            raise RequestError(f"{WHERE}: plugins", "must be a list of uploaded plugin files",
                               "e.g. plugins: [upload:<id>]", keys=["plugins"])
        data["plugins"] = [str(media.resolve(p, ("plugin",), f"{WHERE}: plugins[{i}]")) for i, p in enumerate(data["plugins"])]
    return data


def plugins_mode(allow_plugins: bool) -> str:
    """What api calls get for `plugins=`: never load code unless the studio was told it may."""
    return "needed" if allow_plugins else "never"


def check(client: Any, media: Media, allow_plugins: bool):
    """The validated Preset (the CLI's checks, the model's layers included), or the error with the keys it names."""
    data = to_api(client, media, allow_plugins)
    try:
        return api.read_preset(data, plugins=plugins_mode(allow_plugins))
    except DreamanimError as exc:
        exc.keys = error_keys(exc)
        raise


def error_keys(exc: DreamanimError) -> list:
    """The preset keys an error names (`dream.step_size`, `transform[0].zoom.amount`), for the page's controls."""
    where = exc.where[len(WHERE) + 2:] if exc.where.startswith(WHERE + ": ") else ""
    if where:
        return [where.split(": ")[0]]
    # several schema errors in one line: "size: ...; dream.step_size: ..."; the keys are the known
    # ones only (a value echoed in the text is no key)
    found = re.findall(r"(?:^|; )([a-z_]+(?:\[\d+\])?(?:\.[A-Za-z0-9_]+(?:\[\d+\])?)*): ", exc.what)
    from ..preset import Preset
    return [key for key in dict.fromkeys(found) if key.split(".")[0].split("[")[0] in Preset.model_fields]

