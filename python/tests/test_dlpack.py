"""DLPack with NumPy: shared memory where the device can address it, copies where it cannot."""

import numpy as np
import pytest

import vyre


def pointer(a):
    return a.__array_interface__["data"][0]


def test_numpy_into_reference_shares_memory(saxpy):
    host = np.arange(16, dtype=np.float32)
    d = vyre.from_dlpack(host)
    assert d.device.backend == "reference" and d.shape == (16,)
    back = np.from_dlpack(d)
    assert pointer(back) == pointer(host)
    # A kernel writing the adopted memory changes the NumPy array itself.
    saxpy(x=vyre.asarray(np.ones(16, np.float32)), y=d, a=10.0)
    np.testing.assert_array_equal(host, np.arange(16, dtype=np.float32) + 10)


def test_reference_array_exported_to_numpy_without_copy():
    d = vyre.asarray(np.arange(6, dtype=np.int64).reshape(2, 3))
    a = np.from_dlpack(d)
    b = np.from_dlpack(d)
    assert a.shape == (2, 3) and a.dtype == np.int64
    assert pointer(a) == pointer(b)  # both views of the device buffer
    d.fill(5)
    assert (a == 5).all()
    assert d.__dlpack_device__() == (1, 0)


def test_memory_outlives_the_array():
    d = vyre.asarray(np.arange(4, dtype=np.uint32))
    a = np.from_dlpack(d)
    del d
    np.testing.assert_array_equal(a, np.arange(4, dtype=np.uint32))


def test_producer_outlives_its_name():
    d = vyre.from_dlpack(np.arange(5, dtype=np.float64) * 2)
    np.testing.assert_array_equal(d.numpy(), np.arange(5) * 2.0)


def test_opencl_exports_a_host_copy():
    if not {b["id"]: b["available"] for b in vyre.backends()}.get("opencl"):
        pytest.skip("opencl backend unavailable")
    d = vyre.asarray(np.arange(8, dtype=np.float32), device="opencl")
    assert d.__dlpack_device__() == (1, 0)
    a = np.from_dlpack(d)
    np.testing.assert_array_equal(a, np.arange(8, dtype=np.float32))
    with pytest.raises(BufferError):
        d.__dlpack__(copy=False)
    # Host memory for opencl is uploaded (a copy): the NumPy array is not changed by kernels.
    host = np.zeros(8, np.float32)
    c = vyre.from_dlpack(host, device="opencl")
    c.fill(3.0)
    assert (host == 0).all() and (c.numpy() == 3).all()


def test_strided_and_unsupported_tensors_refused():
    with pytest.raises(vyre.Error) as info:
        vyre.from_dlpack(np.arange(10, dtype=np.float32)[::2])
    assert info.value.code == "VY8301" and "contiguous" in info.value.help
    with pytest.raises(vyre.Error) as info:
        vyre.from_dlpack(np.zeros(4, np.float16))
    assert info.value.code == "VY8301"
    with pytest.raises(vyre.Error) as info:
        vyre.from_dlpack([1, 2, 3])
    assert info.value.code == "VY8301"


def test_bool_round_trip():
    host = np.array([True, False, True])
    d = vyre.from_dlpack(host)
    assert d.dtype == np.bool_
    np.testing.assert_array_equal(np.from_dlpack(d), host)


@pytest.mark.parametrize("backend", ["reference", "opencl"])
def test_host_exports_take_stream_none_only(backend):
    """DLPack: memory without streams takes stream=None; the export itself waits for the work."""
    if not {b["id"]: b["available"] for b in vyre.backends()}.get(backend):
        pytest.skip(f"{backend} backend unavailable")
    from conftest import SAXPY

    x = vyre.asarray(np.ones(256, np.float32), device=backend)
    y = vyre.zeros(256, device=backend)
    k = vyre.Kernel(SAXPY)
    for _ in range(4):
        k(x=x, y=y, a=0.5)  # queued on the default stream
    capsule = y.__dlpack__(stream=None)
    assert type(capsule).__name__ == "PyCapsule"
    np.testing.assert_array_equal(np.from_dlpack(y), np.full(256, 2.0, np.float32))
    for stream in (1, 2, -1, 0, 12345):
        with pytest.raises(vyre.Error) as info:
            y.__dlpack__(stream=stream)
        assert info.value.code == "VY8301" and "stream=None" in info.value.message


def test_export_reports_a_capped_loop_of_queued_work():
    from test_loop_status import CAPPED, HALVE

    x = vyre.asarray(CAPPED)
    vyre.Kernel(HALVE)(x=x)
    with pytest.raises(vyre.Error) as info:
        np.from_dlpack(x)
    assert info.value.code == "VY2103"
    np.testing.assert_array_equal(np.from_dlpack(x), np.array([1, 1 << 12, 1, 1], np.uint32))
