"""(path to a legacy, pre-1.6 non-zip PyTorch .pth) => OrderedDict name -> numpy array, without torch.

The file is five pickles in a row (magic number, protocol version, sys info, the state
dict, the list of storage keys) followed by each storage's raw bytes in key order, each
prefixed by its int64 element count. The state dict pickle may only name torch storage
types, torch._utils._rebuild_tensor_v2 and collections.OrderedDict: any other global is
refused, because unpickling a global is how a .pth runs code.
"""
import collections
import io
import pickle
from pathlib import Path

import numpy as np

from ...errors import ModelError

MAGIC = 0x1950A86A20F9469CFC6C
PROTOCOL = 1001
STORAGE_DTYPES = {"DoubleStorage": "<f8", "FloatStorage": "<f4", "HalfStorage": "<f2",
                  "LongStorage": "<i8", "IntStorage": "<i4", "ShortStorage": "<i2",
                  "CharStorage": "i1", "ByteStorage": "u1", "BoolStorage": "?"}


class _StorageType(str):
    """What `torch.FloatStorage` etc. unpickle to: just the numpy dtype of its elements."""


class _TensorRef(tuple):
    """(storage key, offset, size, stride): a tensor whose bytes come after the pickles."""


def _rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks, metadata=None):
    key, view_offset = storage
    if len(size) != len(stride) or not all(type(i) is int and i >= 0 for i in (offset, *size, *stride)):
        raise ValueError(f"bad tensor geometry: size {size}, stride {stride}, offset {offset}")
    return _TensorRef((key, view_offset + offset, tuple(size), tuple(stride)))


class _Unpickler(pickle.Unpickler):
    def __init__(self, file, where):
        super().__init__(file)
        self.where, self.storages = where, {}  # key -> (dtype, numel)

    def find_class(self, module, name):
        if module == "torch" and name in STORAGE_DTYPES:
            return _StorageType(STORAGE_DTYPES[name])
        if (module, name) == ("torch._utils", "_rebuild_tensor_v2"):
            return _rebuild_tensor_v2
        if (module, name) == ("collections", "OrderedDict"):
            return collections.OrderedDict
        raise ModelError(self.where, f"refusing unsafe global {module}.{name} in the weights file",
                         "only load .pth files from a source you trust; reinstall the weights package")

    def persistent_load(self, pid):
        if not (isinstance(pid, tuple) and len(pid) >= 5 and pid[0] == "storage"
                and isinstance(pid[1], _StorageType)):
            raise ModelError(self.where, f"unknown persistent id {pid!r:.80}", "the file is corrupt")
        _, dtype, key, _location, numel, *view = pid
        self.storages[key] = (dtype, numel)
        # a storage view (view_key, offset, size) shares the bytes of storage `key`
        offset = view[0][1] if view and view[0] is not None else 0
        if type(offset) is not int or offset < 0:
            raise ModelError(self.where, f"bad storage view offset {offset!r:.40}", "the file is corrupt")
        return key, offset


def load_state_dict(path) -> dict[str, np.ndarray]:
    """Read a legacy .pth state dict; ModelError if it is unsafe, corrupt or truncated."""
    where, data = str(path), Path(path).read_bytes()
    if data[:2] == b"PK":
        raise ModelError(where, "a zip-format (torch >= 1.6) file, not a legacy one",
                         "re-save it with torch.save(..., _use_new_zipfile_serialization=False)")
    stream = io.BytesIO(data)
    unpickler = _Unpickler(stream, where)
    try:
        if unpickler.load() != MAGIC:
            raise ModelError(where, "not a legacy PyTorch file (bad magic number)", "check the file")
        if unpickler.load() != PROTOCOL:
            raise ModelError(where, "unsupported legacy PyTorch protocol version", "re-save the file")
        if not unpickler.load().get("little_endian", False):
            raise ModelError(where, "big-endian weights are not supported", "re-save on a little-endian machine")
        state, keys = unpickler.load(), unpickler.load()
    except (pickle.UnpicklingError, EOFError, AttributeError, ValueError, TypeError) as e:
        raise ModelError(where, f"corrupt or truncated weights file ({e})", "reinstall the weights package")
    if not isinstance(state, dict) or not isinstance(keys, list) or set(keys) != set(unpickler.storages):
        raise ModelError(where, "the file holds no state dict", "save model.state_dict(), not the model")
    arrays = {}
    for key in keys:
        dtype, _ = unpickler.storages[key]
        head = stream.read(8)
        count = int.from_bytes(head, "little", signed=True) if len(head) == 8 else -1
        raw = stream.read(max(count, 0) * np.dtype(dtype).itemsize)
        if count < 0 or len(raw) < count * np.dtype(dtype).itemsize:
            raise ModelError(where, f"truncated weights file (storage {key})", "reinstall the weights package")
        arrays[key] = np.frombuffer(raw, dtype)
    return collections.OrderedDict((name, _tensor(ref, arrays, where)) for name, ref in state.items())


def _tensor(ref, arrays, where) -> np.ndarray:
    """Copy a tensor out of its storage, refusing strides that would read past its end."""
    if not isinstance(ref, _TensorRef):
        raise ModelError(where, f"a value that is not a tensor: {ref!r:.60}", "save only tensors")
    key, offset, size, stride = ref
    storage = arrays[key]
    last = offset + sum((n - 1) * s for n, s in zip(size, stride))
    if 0 not in size and not 0 <= offset <= last < storage.size:
        raise ModelError(where, f"tensor outside its storage {key}", "the file is corrupt")
    if 0 in size:
        return np.zeros(size, storage.dtype)
    view = np.lib.stride_tricks.as_strided(storage[offset:], size,
                                           [s * storage.itemsize for s in stride], writeable=False)
    return np.array(view, storage.dtype.newbyteorder("="), order="C", copy=True)
