"""A client's preset (JSON or YAML, files named by reference) => the dict api.render gets, every path the studio's own.

    client = from_yaml(text)                         # or the JSON object itself; RequestError if unreadable
    data = to_api(client, media, allow_plugins)     # references => absolute paths; paths refused
    check(client, media, allow_plugins)              # the CLI's validation: PresetError / RequestError

The files a preset may name (input, audio, a guide, plugins) must be references the studio
resolves itself (`sample:chelsea.png`, `upload:<id>`); `weights`, a model file and `output`
are refused: the studio names each job's files, and reads no file a client names.
"""
import copy
import math
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
    """YAML text => the preset's data; a syntax error or duplicate key is the CLI's one line."""
    if not isinstance(text, str):
        raise RequestError(WHERE, "the YAML must be text", "send {\"yaml\": \"...\"}")
    loader = _Strict(text)
    try:
        data = loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        at = f"{WHERE}:{mark.line + 1}:{mark.column + 1}" if mark else WHERE
        raise PresetError(at, f"YAML syntax error: {exc.problem}", "fix the indentation or quoting there") from None
    except yaml.YAMLError as exc:
        raise PresetError(WHERE, f"not readable as YAML: {exc}", "save it as UTF-8 YAML") from None
    finally:
        loader.dispose()
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
    return re.findall(r"(?:^|; )([a-z_]+(?:\[\d+\])?(?:\.[A-Za-z0-9_]+(?:\[\d+\])?)*): ", exc.what)


class _Strict(yaml.SafeLoader):
    """SafeLoader refusing a key given twice in one mapping and non-finite numbers, as the CLI does."""

    def construct_mapping(self, node, deep=False):
        seen = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                first = seen.setdefault(key, key_node)
            except TypeError:
                continue
            if first is not key_node:
                raise PresetError(f"{WHERE}:{key_node.start_mark.line + 1}",
                                  f"duplicate key {key!r} (first at line {first.start_mark.line + 1})",
                                  "keep only one of them: YAML would silently use the last")
        return super().construct_mapping(node, deep)

    def construct_yaml_float(self, node):
        value = super().construct_yaml_float(node)
        if not math.isfinite(value):
            raise PresetError(f"{WHERE}:{node.start_mark.line + 1}", f"{node.value!r} is not a finite number",
                              "numbers in a preset must be finite: write the value itself")
        return value


_Strict.add_constructor("tag:yaml.org,2002:float", _Strict.construct_yaml_float)
