"""DLPack exchange with CuPy and PyTorch on the cuda backend: no copy either way (the same
device pointer), a kernel's writes into adopted memory are seen by the producer, and a consumer's
stream is ordered after vyre's work on the device (DLPack's stream argument). Skipped, with the
reason, where the cuda backend or the library is missing."""

import numpy as np
import pytest

import vyre

from conftest import SAXPY, _status


# Long enough on a GPU (milliseconds) that a consumer stream not ordered after it reads old values.
SPIN = """kernel spin workgroup(64) {
  param rounds: u32
  buffer v: read_write i32[n]
  let i = global_id.x
  if i < len(v) {
    var acc = v[i]
    for k in 0u..rounds { acc = acc * 1664525 + 1013904223 }
    v[i] = acc
  }
}"""
ROUNDS = 1 << 21


def _spun(n, rounds=ROUNDS):
    """SPIN's result for v = arange(n): the LCG step composed `rounds` times, mod 2^32."""
    a, c = 1, 0  # the composed map x -> a x + c
    step_a, step_c = 1664525, 1013904223
    while rounds:
        if rounds & 1:
            a, c = (step_a * a) % 2**32, (step_a * c + step_c) % 2**32
        step_a, step_c = (step_a * step_a) % 2**32, (step_a * step_c + step_c) % 2**32
        rounds >>= 1
    values = (a * np.arange(n, dtype=np.uint64) + c) % 2**32
    return values.astype(np.uint32).view(np.int32)


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
    # An array vyre allocated goes to CuPy without a copy too: one pointer for every export, and
    # vyre's later writes show in CuPy's view.
    z = vyre.asarray(np.zeros(64, np.float32), device="cuda")
    cz = cupy.from_dlpack(z)
    assert cupy.from_dlpack(z).data.ptr == cz.data.ptr
    z.fill(4.0)
    np.testing.assert_array_equal(cupy.asnumpy(cz), np.full(64, 4.0, np.float32))


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


def test_cupy_consumer_stream_is_ordered_after_vyre_on_the_device():
    _cuda_or_skip()
    cupy = pytest.importorskip("cupy", reason="CuPy is not installed")
    n = 4096
    v = vyre.asarray(np.arange(n, dtype=np.int32), device="cuda")
    vyre.Kernel(SPIN)(v=v, rounds=ROUNDS)  # queued on vyre's default stream, not waited for
    s = cupy.cuda.Stream(non_blocking=True)
    with s:
        c = cupy.from_dlpack(v)  # CuPy passes s.ptr: s waits for vyre's stream, device-side
        snapshot = c.copy()  # runs on s, after the kernel
    s.synchronize()
    np.testing.assert_array_equal(cupy.asnumpy(snapshot), _spun(n))
    # -1: no synchronization asked; 0 is not a stream DLPack allows.
    vyre.device("cuda").synchronize()
    assert type(v.__dlpack__(stream=-1)).__name__ == "PyCapsule"
    with pytest.raises(vyre.Error) as info:
        v.__dlpack__(stream=0)
    assert info.value.code == "VY8301"


def test_torch_consumer_stream_is_ordered_after_vyre_on_the_device():
    _cuda_or_skip()
    torch = pytest.importorskip("torch", reason="PyTorch is not installed")
    if not torch.cuda.is_available():
        pytest.skip("PyTorch sees no CUDA device")
    n = 4096
    v = vyre.asarray(np.arange(n, dtype=np.int32), device="cuda")
    vyre.Kernel(SPIN)(v=v, rounds=ROUNDS)
    s = torch.cuda.Stream()
    with torch.cuda.stream(s):
        t = torch.from_dlpack(v)  # torch passes s.cuda_stream
        snapshot = t.clone()
    s.synchronize()
    np.testing.assert_array_equal(snapshot.cpu().numpy(), _spun(n))
    # The same memory, not a copy: a later vyre write shows in the tensor.
    vyre.device("cuda").synchronize()
    v.fill(-5)
    torch.cuda.synchronize()
    assert (t == -5).all().item()
