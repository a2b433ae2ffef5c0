"""Which float type a model computes in: `precision: auto | float32 | bfloat16` => a tf dtype name.

bfloat16 halves the bits every convolution moves and doubles what each vector instruction
does, but only on CPUs with native bfloat16 instructions (AVX512-BF16 or AMX) and with
TensorFlow's oneDNN kernels on; elsewhere it is emulated and slower than float32. It also
only pays for dense convolutions: VGG16 dreams 1.9x faster in it here, EfficientNet-Lite0
(mostly depthwise) 1.5x slower. So `auto` asks both the model and the machine.
The image, the objective and the step stay float32 either way.
"""
import os
from functools import lru_cache

NATIVE_BF16_FLAGS = {"avx512_bf16", "amx_bf16"}


def resolve(precision: str, model_prefers_bfloat16: bool) -> str:
    if precision != "auto":
        return precision
    return "bfloat16" if model_prefers_bfloat16 and cpu_has_native_bfloat16() else "float32"


@lru_cache(maxsize=None)
def cpu_has_native_bfloat16() -> bool:
    if os.environ.get("TF_ENABLE_ONEDNN_OPTS", "1") == "0":  # Eigen's bfloat16 kernels are slow
        return False
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as f:
            for line in f:
                if line.startswith("flags"):
                    return bool(NATIVE_BF16_FLAGS & set(line.split(":", 1)[1].split()))
    except OSError:  # not Linux: stay with what works everywhere
        pass
    return False
