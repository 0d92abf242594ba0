"""vyre from Python: kernels called on NumPy arrays, device-resident arrays, DLPack.

    import numpy as np, vyre
    saxpy = vyre.Kernel('''kernel saxpy workgroup(64) {
      param a: f32
      buffer x: read f32[n]
      buffer y: read_write f32[n]
      let i = global_id.x
      if i < len(y) { y[i] = a * x[i] + y[i] }
    }''')
    out = saxpy(x=np.ones(8, np.float32), y=np.zeros(8, np.float32), a=2.5)
    out["y"]                                   # NumPy, shaped as declared

    x = vyre.asarray(np.ones(8, np.float32), device="opencl")    # resident
    y = vyre.zeros(8, device="opencl")
    saxpy(x=x, y=y, a=2.5); saxpy(x=x, y=y, a=2.5)               # y stays on the device
    y.numpy()                                                    # one copy back

Errors raise vyre.Error (code, message, help, location). See docs/PYTHON.md.
"""

from ._error import Error
from ._vyre import (
    Array,
    Device,
    Event,
    Graph,
    GraphRecording,
    Kernel,
    PreparedKernel,
    Stream,
    __version__,
    asarray,
    backends,
    cache_flush,
    cache_stats,
    capabilities,
    device,
    empty,
    from_dlpack,
    precompile,
    zeros,
)

__all__ = [
    "Array",
    "Device",
    "Error",
    "Event",
    "Graph",
    "GraphRecording",
    "Kernel",
    "PreparedKernel",
    "Stream",
    "__version__",
    "asarray",
    "backends",
    "cache_flush",
    "cache_stats",
    "capabilities",
    "device",
    "empty",
    "from_dlpack",
    "precompile",
    "zeros",
]
