"""The docs stay true to the code: README's commands, .ci/run, documented keys, --help."""
import re

from dreamanim.preset import DreamSettings, Preset
from dreamanim.outputs import FORMATS, format_module

from conftest import REPO


def readme_commands():
    return re.findall(r"^```(?:sh|bash)\n(.*?)\n```", (REPO / "README.md").read_text(), re.S | re.M)


def test_ci_runs_exactly_the_readme_test_command():
    ci_command = (REPO / ".ci" / "run").read_text().strip().splitlines()[-1]
    assert ci_command in readme_commands()


def test_readme_install_command_renders_the_default_preset():
    assert any(c.endswith("dreamanim render presets/vertical_stretch.yaml") for c in readme_commands())


def test_every_preset_key_is_documented():
    doc = (REPO / "docs" / "presets.md").read_text()
    for model in (Preset, DreamSettings):
        for key in model.model_fields:
            assert re.search(rf"(^|\W){key}:|`{key}`", doc, re.M), key
    for fmt in FORMATS:  # every output format's every key
        for key in format_module(fmt).Settings.model_fields:
            assert f"`{fmt}.{key}`" in doc, (fmt, key)


def test_render_help_documents_the_contract(run_cli):
    code, out, _ = run_cli("render", "--help")
    assert code == 0
    for flag in ("PRESET", "--output", "--frames", "--seed", "--set", "--resume", "--force", "--quiet"):
        assert flag in out, flag


def test_listing_commands(run_cli):
    code, out, _ = run_cli("transforms")
    assert code == 0 and "stretch" in out and "axis: vertical|horizontal = 'vertical'" in out
    code, out, _ = run_cli("models")
    assert code == 0 and "efficientnet_lite0" in out and "default" in out and "vgg16" in out
    code, out, _ = run_cli("layers", "efficientnet_lite0")
    assert code == 0 and re.search(r"block9_add\s+112\s+16\s+\(default\)", out)
    code, _, err = run_cli("layers", "resnet")
    assert code == 2 and "unknown model" in err
