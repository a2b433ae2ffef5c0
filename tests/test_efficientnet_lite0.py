"""EfficientNet-Lite0: the legacy .pth reader (safe, exact) and the model (layers, laziness, ImageNet classes)."""
import pickle

import numpy as np
import pytest
import tensorflow as tf

from dreamanim.errors import ModelError
from dreamanim.engine.models import MODELS
from dreamanim.engine.tensorflow import efficientnet_lite0 as lite0
from dreamanim.engine.tensorflow.torch_legacy import MAGIC, PROTOCOL, load_state_dict


# A legacy .pth written opcode by opcode (pickle protocol 2), as torch < 1.6 writes it,
# so the tests need no torch and can name any global they like.
def _global(module, name):
    return b"c" + f"{module}\n{name}\n".encode()


def _str(s):
    return b"X" + len(s.encode()).to_bytes(4, "little") + s.encode()


def _int(i):
    return b"J" + i.to_bytes(4, "little", signed=True)


def _tuple(*items):
    return b"(" + b"".join(items) + b"t"


def _tensor(key, numel, offset, size, stride, storage_type="FloatStorage", view_offset=None):
    view = b"N" if view_offset is None else _tuple(_str(key), _int(view_offset), _int(numel))
    storage = _tuple(_str("storage"), _global("torch", storage_type), _str(key), _str("cpu"),
                     _int(numel), view) + b"Q"  # Q: BINPERSID
    hooks = _global("collections", "OrderedDict") + b")R"
    return (_global("torch._utils", "_rebuild_tensor_v2")
            + _tuple(storage, _int(offset), _tuple(*map(_int, size)), _tuple(*map(_int, stride)), b"\x89", hooks)
            + b"R")


def _state_dict(**tensors):
    items = b"".join(_str(name) + t for name, t in tensors.items())
    return b"\x80\x02" + _global("collections", "OrderedDict") + b")R(" + items + b"u."


def _write(path, state_pickle, storages=None, magic=MAGIC):
    storages = storages or {}
    sys_info = {"protocol_version": PROTOCOL, "little_endian": True, "type_sizes": {"short": 2, "int": 4, "long": 4}}
    head = b"".join(pickle.dumps(x, protocol=2) for x in (magic, PROTOCOL, sys_info))
    data = b"".join(a.size.to_bytes(8, "little") + a.tobytes() for a in storages.values())
    path.write_bytes(head + state_pickle + pickle.dumps(list(storages), protocol=2) + data)
    return path


def test_reader_round_trips_strided_offset_views(tmp_path):
    floats, longs = np.arange(24, dtype="<f4"), np.array([7, -3], "<i8")
    path = _write(tmp_path / "ok.pth", _state_dict(
        whole=_tensor("10", 24, 0, (2, 3, 4), (12, 4, 1)),
        transposed=_tensor("10", 24, 5, (3, 2), (1, 3)),  # a transposed view that starts mid-storage
        scalar=_tensor("9", 2, 1, (), (), "LongStorage")), {"10": floats, "9": longs})
    sd = load_state_dict(path)
    assert list(sd) == ["whole", "transposed", "scalar"]
    np.testing.assert_array_equal(sd["whole"], floats.reshape(2, 3, 4))
    np.testing.assert_array_equal(sd["transposed"], floats[5:11].reshape(2, 3).T)
    assert sd["transposed"].flags.c_contiguous and sd["transposed"].dtype == np.float32
    assert sd["scalar"].shape == () and sd["scalar"] == -3 and sd["scalar"].dtype == np.int64


@pytest.mark.parametrize("module, name", [("os", "system"), ("builtins", "eval"), ("torch", "load")])
def test_reader_refuses_any_other_global(tmp_path, module, name):
    command = f"touch {tmp_path / 'pwned'}" if name == "system" else f"open({str(tmp_path / 'pwned')!r}, 'w')"
    evil = b"\x80\x02" + _global(module, name) + _tuple(_str(command)) + b"R."
    with pytest.raises(ModelError, match=f"{module}.{name}"):
        load_state_dict(_write(tmp_path / "evil.pth", evil))
    assert not (tmp_path / "pwned").exists()


def test_reader_refuses_bad_magic_truncation_and_out_of_bounds_views(tmp_path):
    state = _state_dict(w=_tensor("1", 4, 0, (4,), (1,)))
    with pytest.raises(ModelError, match="magic"):
        load_state_dict(_write(tmp_path / "magic.pth", state, {"1": np.zeros(4, "<f4")}, magic=42))
    whole = _write(tmp_path / "ok.pth", state, {"1": np.zeros(4, "<f4")}).read_bytes()
    for cut in (len(whole) - 3, len(whole) - 20, len(whole) // 2, 10):
        (tmp_path / "cut.pth").write_bytes(whole[:cut])
        with pytest.raises(ModelError, match="truncated"):
            load_state_dict(tmp_path / "cut.pth")
    beyond = _state_dict(w=_tensor("1", 4, 2, (4,), (1,)))  # would read 2 floats past the storage
    with pytest.raises(ModelError, match="outside"):
        load_state_dict(_write(tmp_path / "oob.pth", beyond, {"1": np.zeros(4, "<f4")}))
    before = _state_dict(w=_tensor("1", 4, 0, (4,), (1,), view_offset=-100000))  # a view before its storage
    with pytest.raises(ModelError, match="view offset"):
        load_state_dict(_write(tmp_path / "neg.pth", before, {"1": np.zeros(4, "<f4")}))
    past = _state_dict(w=_tensor("1", 4, 0, (4,), (1,), view_offset=3))  # a view that runs past it
    with pytest.raises(ModelError, match="outside"):
        load_state_dict(_write(tmp_path / "past.pth", past, {"1": np.zeros(4, "<f4")}))


def test_layers_are_unique_with_the_stated_strides():
    names = [layer.name for layer in lite0.LAYERS]
    assert len(names) == len(set(names)) and names[0] == "stem" and names[-1] == "head"
    by_name = {layer.name: layer for layer in lite0.LAYERS}
    assert {n: by_name[n].stride for n in ("stem", "block0_project", "block2_add", "block8_project",
                                           "block9_add", "block10_add", "block14_add", "head")} == {
        "stem": 2, "block0_project": 2, "block2_add": 4, "block8_project": 16,
        "block9_add": 16, "block10_add": 16, "block14_add": 32, "head": 32}
    assert by_name["block9_add"].channels == 112 and "block0_expand" not in by_name
    assert set(MODELS["efficientnet_lite0"].default_layers) <= set(names)


def test_features_stop_at_the_deepest_requested_layer():
    # Only the stem's weights exist: touching any later layer would raise KeyError.
    net = lite0.build({"stem": (tf.zeros((3, 3, 3, 32)), tf.zeros(32))})
    stem = net.features(tf.zeros((1, 32, 32, 3)), ["stem"])["stem"]
    assert stem.shape == (1, 16, 16, 32)


@pytest.fixture(scope="module")
def weights():
    return lite0.load_weights()


def _probabilities(weights, image):
    skimage = pytest.importorskip("skimage")
    rgb = skimage.transform.resize(image, (224, 224), anti_aliasing=True, preserve_range=True)
    return tf.nn.softmax(lite0.classify(weights, rgb[None].astype(np.float32))).numpy()[0]


@pytest.mark.slow
def test_classifies_a_cat_and_an_espresso(weights):
    data = pytest.importorskip("skimage.data")
    cat = list(np.argsort(-_probabilities(weights, data.chelsea()))[:5])
    assert cat[0] in range(281, 288) and {281, 282, 285} <= set(cat)  # tabby, tiger cat, Egyptian cat
    espresso = _probabilities(weights, data.coffee())
    # (x - 127) / 128 is the preprocessing these weights were trained with: 0.91 here, where
    # x / 255 gives 0.73 and torchvision's mean/std 0.82, both still ranking espresso first.
    assert np.argmax(espresso) == 967 and espresso[967] > 0.85


@pytest.mark.slow
def test_real_activations_match_layers(weights):
    names = [layer.name for layer in lite0.LAYERS]
    found = lite0.build(weights).features(tf.fill((1, 64, 64, 3), 128.0), names)
    for layer in lite0.LAYERS:
        side = -(-64 // layer.stride)
        assert found[layer.name].shape == (1, side, side, layer.channels), layer.name
