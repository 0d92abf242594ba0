"""Device-resident arrays: uploads, results that stay on the device, prepared kernels, streams."""

import numpy as np
import pytest

import vyre


def test_asarray_round_trip(device, rng):
    a = rng.standard_normal((3, 4)).astype(np.float32)
    d = vyre.asarray(a, device=device)
    assert d.shape == (3, 4) and d.dtype == np.float32 and d.size == 12 and d.nbytes == 48
    assert d.device.backend == device
    np.testing.assert_array_equal(d.numpy(), a)
    np.testing.assert_array_equal(np.asarray(d), a)
    assert vyre.asarray(d, device=device) is d or vyre.asarray(d, device=device).shape == (3, 4)


def test_results_stay_resident_across_calls(device, saxpy, rng):
    x_host = rng.standard_normal(100).astype(np.float32)
    x = vyre.asarray(x_host, device=device)
    y = vyre.zeros(100, device=device)
    first = saxpy(x=x, y=y, a=2.0)
    assert first["y"] is y  # the given array is written in place, not copied back
    assert saxpy.last_report["resident"] is True
    # The second call reads what the first left on the device.
    saxpy(x=x, y=y, a=2.0)
    expected = np.float32(2.0) * x_host
    expected = np.float32(2.0) * x_host + expected
    np.testing.assert_array_equal(y.numpy(), expected)


def test_outputs_not_given_are_allocated_on_the_device(device):
    k = vyre.Kernel(
        """kernel square workgroup(64) {
  buffer x: read u32[n]
  buffer y: write u32[n]
  let i = global_id.x
  if i < len(x) { y[i] = x[i] * x[i] }
}"""
    )
    x = vyre.asarray(np.arange(50, dtype=np.uint32), device=device)
    out = k(x=x)
    assert isinstance(out["y"], vyre.Array) and out["y"].device.backend == device
    np.testing.assert_array_equal(out["y"].numpy(), np.arange(50, dtype=np.uint32) ** 2)


def test_numpy_arguments_of_a_resident_call_are_uploaded(saxpy):
    y = vyre.zeros(8, device="reference")
    saxpy(x=np.ones(8, np.float32), y=y, a=3.0)
    np.testing.assert_array_equal(y.numpy(), np.full(8, 3, np.float32))


def test_resident_dtype_mismatch(saxpy):
    x = vyre.asarray(np.ones(8, np.float64), device="reference")
    with pytest.raises(vyre.Error) as info:
        saxpy(x=x, y=vyre.zeros(8), a=1.0)
    assert info.value.code == "VY4008" and "`x`" in info.value.message


def test_arrays_of_two_devices_refused(saxpy):
    status = {b["id"]: b["available"] for b in vyre.backends()}
    if not status.get("opencl"):
        pytest.skip("opencl backend unavailable: needs two devices")
    with pytest.raises(vyre.Error) as info:
        saxpy(x=vyre.zeros(8, device="opencl"), y=vyre.zeros(8, device="reference"), a=1.0)
    assert info.value.code == "VY4203"


def test_prepared_kernel_on_a_stream(device, saxpy):
    pk = saxpy.prepare(device=device)
    assert pk.device.backend == device and pk.report["backend"] == device
    dev = vyre.device(device)
    stream = dev.create_stream()
    x = vyre.asarray(np.arange(64, dtype=np.float32), device=device)
    y = vyre.zeros(64, device=device)
    for _ in range(3):
        pk.launch(x=x, y=y, a=0.5, stream=stream)
    stream.synchronize()
    np.testing.assert_array_equal(y.numpy(), np.arange(64, dtype=np.float32) * 1.5)
    with pytest.raises(vyre.Error) as info:
        pk.launch(x=x, a=0.5)
    assert info.value.code == "VY4006"
    with pytest.raises(vyre.Error) as info:
        pk.launch(x=np.zeros(64, np.float32), y=y, a=0.5)
    assert info.value.code == "VY4209"


def test_events_order_two_streams(device, saxpy):
    dev = vyre.device(device)
    s1, s2 = dev.create_stream(), dev.create_stream()
    pk = saxpy.prepare(device=device)
    x = vyre.asarray(np.ones(32, np.float32), device=device)
    y = vyre.zeros(32, device=device)
    pk.launch(x=x, y=y, a=1.0, stream=s1)
    s2.wait(s1.record())
    pk.launch(x=x, y=y, a=1.0, stream=s2)
    s2.synchronize()
    np.testing.assert_array_equal(y.numpy(), np.full(32, 2, np.float32))


def test_reshape_fill_copy_from():
    d = vyre.zeros((2, 6), dtype="int32")
    d.fill(7)
    np.testing.assert_array_equal(d.numpy(), np.full((2, 6), 7, np.int32))
    r = d.reshape(3, 4)
    assert r.shape == (3, 4)
    r.copy_from(np.arange(12, dtype=np.int32))
    np.testing.assert_array_equal(d.numpy().ravel(), np.arange(12))  # same memory
    with pytest.raises(vyre.Error):
        d.reshape(5, 5)
    with pytest.raises(vyre.Error):
        d.copy_from(np.zeros(12, np.float32))


def test_devices_and_capabilities(device):
    dev = vyre.device(device)
    assert dev.id == f"{device}:0"
    caps = dev.capabilities
    assert "f32" in caps["element_types"] and caps["max_workgroup_invocations"] > 0
    assert "sqrt" in vyre.capabilities(device)["supported_ops"]
    with pytest.raises(vyre.Error) as info:
        vyre.device("nosuch:3")
    assert info.value.code == "VY4208"
