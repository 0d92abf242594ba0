"""DLPack exchange with CuPy and PyTorch on the cuda backend: no copy either way (the same
device pointer), and a kernel's writes into adopted memory are seen by the producer. Skipped,
with the reason, where the cuda backend or the library is missing."""

import numpy as np
import pytest

import vyre

from conftest import SAXPY, _status


def _cuda_or_skip():
    status = _status("cuda")
    if status is None or not status["available"]:
        pytest.skip("cuda backend unavailable: " + (status["why_unavailable"] if status else "not built"))


def test_cupy_arrays_pass_in_and_out_without_a_copy():
    _cuda_or_skip()
    cupy = pytest.importorskip("cupy", reason="CuPy is not installed")
    x = cupy.arange(1000, dtype=cupy.float32)
    y = cupy.ones(1000, dtype=cupy.float32)
    vx, vy = vyre.from_dlpack(x), vyre.from_dlpack(y)
    assert vx.device.backend == "cuda"
    assert vx.__dlpack_device__()[0] == 2  # kDLCUDA
    # Out again: the same memory.
    assert cupy.from_dlpack(vx).data.ptr == x.data.ptr
    assert cupy.from_dlpack(vy).data.ptr == y.data.ptr
    out = vyre.Kernel(SAXPY)(x=vx, y=vy, a=2.0)
    assert out["y"] is vy
    cupy.cuda.get_current_stream().synchronize()
    vyre.device("cuda").synchronize()
    # The kernel wrote into CuPy's own array.
    np.testing.assert_array_equal(cupy.asnumpy(y), 2.0 * np.arange(1000, dtype=np.float32) + 1.0)


def test_torch_tensors_pass_in_and_out_without_a_copy():
    _cuda_or_skip()
    torch = pytest.importorskip("torch", reason="PyTorch is not installed")
    if not torch.cuda.is_available():
        pytest.skip("PyTorch sees no CUDA device")
    x = torch.arange(512, dtype=torch.float32, device="cuda")
    y = torch.zeros(512, dtype=torch.float32, device="cuda")
    vx, vy = vyre.from_dlpack(x), vyre.from_dlpack(y)
    assert torch.from_dlpack(vx).data_ptr() == x.data_ptr()
    assert torch.from_dlpack(vy).data_ptr() == y.data_ptr()
    vyre.Kernel(SAXPY)(x=vx, y=vy, a=3.0)
    vyre.device("cuda").synchronize()
    torch.cuda.synchronize()
    expected = 3.0 * np.arange(512, dtype=np.float32)
    np.testing.assert_array_equal(y.cpu().numpy(), expected)
    # A vyre array made by vyre goes to PyTorch without a copy too.
    z = vyre.asarray(np.full(16, 7.0, np.float32), device="cuda")
    tz = torch.from_dlpack(z)
    assert tz.device.type == "cuda"
    np.testing.assert_array_equal(tz.cpu().numpy(), np.full(16, 7.0, np.float32))
