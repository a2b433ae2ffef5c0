"""`device: gpu:N` and `render --device`: a GPU by its number, checked by name without TensorFlow."""
import pytest

from conftest import assert_one_line_error
from dreamanim.engine.models import device as devices
from dreamanim.errors import ModelError
from dreamanim.preset import load_preset_data


class TwoGpus:
    NAME, GPU_HELP = "TensorFlow", "(help)"

    @staticmethod
    def visible_gpus():
        return 2


def test_gpu_n_is_a_device_and_is_checked_against_the_gpus_there_are(monkeypatch):
    preset = load_preset_data({"input": "noise", "device": "gpu:1"}, folder=".", where="p", check_model=False)
    assert preset.device == "gpu:1" and devices.gpu_index("gpu:1") == 1 and devices.gpu_index("gpu") == 0
    monkeypatch.setattr(devices, "get", lambda: TwoGpus)
    devices.check_device("gpu:1")
    with pytest.raises(ModelError, match=r"gpu:2 asked for, but TensorFlow sees 2 GPU\(s\), gpu:0..gpu:1"):
        devices.check_device("gpu:2")


@pytest.mark.parametrize("args, fragment", [
    (["--device", "tpu"], "argument --device: must be 'auto', 'cpu', 'gpu' or 'gpu:N'"),
    (["--set", "device=gpu:x"], "device: must be 'auto', 'cpu', 'gpu' or 'gpu:N' (N the GPU's number, from 0), got 'gpu:x'"),
])
def test_a_bad_device_is_one_line(args, fragment, write_preset, run_cli):
    code, _, err = run_cli("render", write_preset(), *args)
    assert_one_line_error(code, err, fragment)
    assert err.count("got ") == 1


@pytest.mark.slow
def test_render_device_sets_the_presets_device(write_preset, run_cli, tmp_path):
    code, _, err = run_cli("render", write_preset(frames=1, outputs=["gif"]), "--device", "cpu", "-o", tmp_path / "a", "-q")
    assert code == 0, err
    assert "device: cpu" in (tmp_path / "a.preset.yaml").read_text()
