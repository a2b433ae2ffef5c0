"""Preset YAML refuses a key written twice (any depth, keyframes too) and .inf / .nan, by line."""
from pathlib import Path

import pytest
import yaml

from dreamanim.preset.strict_yaml import load_yaml
from dreamanim.errors import PresetError

PRESETS = Path(__file__).resolve().parents[1] / "presets"


def error(text: str) -> PresetError:
    with pytest.raises(PresetError) as info:
        load_yaml(text, "preset.yaml")
    return info.value


def test_duplicate_top_level_key_names_both_lines():
    text = "input: cat.png\nsize: 64\nframes: 30\nseed: 1\ndream:\n  steps: 5\nframes: 60\n"
    err = error(text)
    assert err.line().startswith("preset.yaml:7: duplicate key 'frames' (first at line 3) (")
    assert "keep only one" in err.fix


def test_duplicate_deep_inside():
    text = ("transform:\n"
            "  - stretch:\n"
            "      amount: 0.05\n"
            "      axis: vertical\n"
            "      amount: 0.1\n")
    err = error(text)
    assert err.where == "preset.yaml:5" and err.what == "duplicate key 'amount' (first at line 3)"


def test_duplicate_keyframe_in_flow_mapping():
    err = error("dream:\n  steps: {0: 1, 30: 2, 30: 3}\n")
    assert err.where == "preset.yaml:2" and err.what.startswith("duplicate key 30 (first at column 17")


def test_duplicate_keyframe_written_differently():
    err = error("amount:\n  0: 0.1\n  30: 0.2\n  0x1e: 0.3\n")  # 0x1e is 30 in YAML 1.1
    assert err.where == "preset.yaml:4" and err.what == "duplicate key 30 (first at line 3)"


def test_merge_keys_override_without_error():
    text = ("base: &base {steps: 5, octaves: 3}\n"
            "dream:\n"
            "  <<: *base\n"
            "  steps: 9\n"
            "first_frame:\n"
            "  <<: *base\n")
    data = load_yaml(text, "preset.yaml")
    assert data["dream"] == {"steps": 9, "octaves": 3}
    assert data["first_frame"] == {"steps": 5, "octaves": 3}  # the anchor is not checked twice


def test_merge_list_first_mapping_wins():
    text = "a: &a {x: 1}\nb: &b {x: 2, y: 2}\nc:\n  <<: [*a, *b]\n"
    assert load_yaml(text, "p.yaml")["c"] == yaml.safe_load(text)["c"] == {"x": 1, "y": 2}


def test_merge_key_twice_in_one_mapping():
    err = error("a: &a {x: 1}\nb: &b {y: 2}\nc:\n  <<: *a\n  <<: *b\n")
    assert err.where == "preset.yaml:5" and err.what == "duplicate key '<<' (first at line 4)"


def test_duplicate_inside_merged_mappings_are_found():
    assert error("base: &b\n  x: 1\n  x: 2\nuse:\n  <<: *b\n").where == "preset.yaml:3"
    inline = error("use:\n  <<: {x: 1, x: 2}\n")  # a mapping never built on its own
    assert inline.what.startswith("duplicate key 'x'")


@pytest.mark.parametrize("number", [".inf", "-.inf", "+.INF", ".nan", ".NaN", "1.0e+999"])
def test_non_finite_numbers_are_refused(number):
    err = error(f"size: 64\ndream:\n  steps: [1, 2]\n  step_size: {{0: 0.1, 10: {number}}}\n")
    assert err.where == "preset.yaml:4" and err.what == f"{number!r} is not a finite number"
    assert "finite" in err.fix


def test_non_finite_in_a_list():
    assert error("values:\n  - 1.5\n  - .inf\n").where == "preset.yaml:3"


def test_quoted_inf_is_a_string():
    # (PyYAML reads 1.5e3 as a string: its floats need a dot and a signed exponent)
    assert load_yaml("name: '.inf'\nx: 1.5e+3\n", "p.yaml") == {"name": ".inf", "x": 1500.0}


def test_syntax_error_has_line_and_column():
    err = error("dream:\n  steps: [1, 2\nframes: 3\n")
    assert err.where.startswith("preset.yaml:") and err.where.count(":") == 2
    assert err.what.startswith("YAML syntax error")


def test_empty_text_is_none():
    assert load_yaml("", "p.yaml") is None


def test_shipped_presets_load_as_before():
    for path in sorted(PRESETS.glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        assert load_yaml(text, str(path)) == yaml.safe_load(text), path


def test_plain_safe_loader_is_unchanged():
    assert yaml.safe_load("a: 1\na: 2\nb: .inf\n") == {"a": 2, "b": float("inf")}


def test_a_billion_laughs_is_refused_before_it_is_built(tmp_path, run_cli):
    """A few hundred bytes of aliases of aliases would expand to a million values: one line, at once."""
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]']
    for prev, name in zip("abcde", "bcdef"):
        lines.append(f"{name}: &{name} [{', '.join([f'*{prev}'] * 10)}]")
    path = tmp_path / "laughs.yaml"
    path.write_text("\n".join(lines) + "\n")
    code, _, err = run_cli("render", path)
    assert code == 2 and err.count("\n") == 1 and "expands to more than 500,000 values" in err, err
