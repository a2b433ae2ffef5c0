"""YAML text => data, refusing what PyYAML lets through silently: a repeated key, a non-finite number.

    load_yaml(text, "preset.yaml") => data
    or PresetError("preset.yaml:7", "duplicate key 'frames' (first at line 3)", fix)

PyYAML keeps the last of two equal keys without a word, so `frames: 60` written twice, or a
keyframe `30:` given twice, quietly drops a value the user meant. Merge keys (`<<: *base`) keep
their meaning: a key written in the mapping overrides one it merges, and among merged mappings
the first wins; what is refused is a key written twice in one mapping (`<<` included). Aliases are kept too, but
a document that expands to more than MAX_VALUES values (aliases of aliases: a "billion laughs"
of a few hundred bytes) is refused before it is built.
"""
import math

import yaml

from ..errors import PresetError, shown

_MERGE_TAG = "tag:yaml.org,2002:merge"
MAX_VALUES = 500_000  # scalars, lists and mappings, aliases expanded: a preset holds a few hundred


def load_yaml(text: str, where: str):
    """The data of one YAML document. `where` (a file name) prefixes every error, with the line."""
    loader = StrictLoader(text, where)
    try:
        node = loader.get_single_node()
        if node is not None and _expanded_size(node, {}) > MAX_VALUES:
            raise PresetError(where, f"the YAML expands to more than {MAX_VALUES:,} values (aliases that repeat "
                              "aliases)", "write the values out; a preset needs a few hundred")
        return loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        at = f"{where}:{mark.line + 1}:{mark.column + 1}" if mark else where
        raise PresetError(at, f"YAML syntax error: {exc.problem}",
                          "fix the indentation or quoting there") from None
    except yaml.YAMLError as exc:
        raise PresetError(where, f"not readable as YAML: {exc}", "save it as UTF-8 YAML") from None
    finally:
        loader.dispose()


def _expanded_size(node, sizes: dict) -> int:
    """How many values the node stands for with every alias expanded (each node counted once per use)."""
    key = id(node)
    if key not in sizes:
        sizes[key] = 0  # (a recursive alias counts as nothing more while it is being counted)
        if isinstance(node, yaml.MappingNode):
            children = [part for pair in node.value for part in pair]
        elif isinstance(node, yaml.SequenceNode):
            children = node.value
        else:
            children = []
        total = 1
        for child in children:
            total += _expanded_size(child, sizes)
            if total > MAX_VALUES:
                break
        sizes[key] = total
    return sizes[key]


class StrictLoader(yaml.SafeLoader):
    """yaml.SafeLoader that raises PresetError on a duplicate key (at any depth) or .inf/.nan."""

    def __init__(self, stream, where: str = "<yaml>"):
        super().__init__(stream)
        self.where = where
        # Mapping nodes already checked. Flattening a merge copies the merged pairs into the
        # node, so a node is checked once, on its first visit, while it holds only its own keys.
        self._checked = set()

    def flatten_mapping(self, node):
        # SafeConstructor calls this for every mapping it builds and for every mapping it merges
        # (even one written inline after `<<:` and never built on its own): the place to look.
        if node not in self._checked:
            self._checked.add(node)
            self._refuse_duplicates(node)
        super().flatten_mapping(node)

    def _refuse_duplicates(self, node) -> None:
        seen = {}
        for key_node, _ in node.value:
            key = "<<" if key_node.tag == _MERGE_TAG else self.construct_object(key_node, deep=True)
            try:
                first = seen.setdefault(key, key_node)
            except TypeError:  # an unhashable key: PyYAML's own error names it
                continue
            if first is not key_node:
                line, first_line = key_node.start_mark.line + 1, first.start_mark.line + 1
                earlier = (f"first at line {first_line}" if first_line != line
                           else f"first at column {first.start_mark.column + 1} of this line")
                raise PresetError(f"{self.where}:{line}", f"duplicate key {shown(key)} ({earlier})",
                                  "keep only one of them: YAML would silently use the last")

    def construct_yaml_float(self, node):
        value = super().construct_yaml_float(node)
        if not math.isfinite(value):  # .inf, -.inf, .nan, or a literal too big for a float (1.0e+999)
            raise PresetError(f"{self.where}:{node.start_mark.line + 1}",
                              f"{shown(node.value)} is not a finite number",
                              "numbers in a preset must be finite: write the value itself")
        return value


StrictLoader.add_constructor("tag:yaml.org,2002:float", StrictLoader.construct_yaml_float)
