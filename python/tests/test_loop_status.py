"""A `while ... max N` loop that reaches its cap is VY2103 on every kind of call: raised by a host
call itself, and for resident calls (device arrays, prepared kernels, graphs) at the next sync
point of the stream they were queued on. Each capped loop is reported once."""

import numpy as np
import pytest

import vyre

HALVE = """kernel halve workgroup(64) {
  buffer x: read_write u32[n]
  let i = global_id.x
  if i < len(x) {
    var v = x[i]
    while v > 1u max 8 { v = v / 2u }
    x[i] = v
  }
}"""

FITS = np.array([1, 2, 255, 256], np.uint32)  # at most 8 halvings
CAPPED = np.array([3, 1 << 20, 7, 1], np.uint32)  # 2^20 needs 20


def assert_capped(info):
    assert info.value.code == "VY2103"
    assert "cap" in info.value.message and info.value.help


def test_host_call_reports_the_cap(device):
    k = vyre.Kernel(HALVE)
    assert (k(x=FITS, device=device)["x"] == 1).all()
    with pytest.raises(vyre.Error) as info:
        k(x=CAPPED, device=device)
    assert_capped(info)


def test_resident_call_reports_at_numpy(device):
    k = vyre.Kernel(HALVE)
    ok = vyre.asarray(FITS, device=device)
    k(x=ok)
    np.testing.assert_array_equal(ok.numpy(), np.ones(4, np.uint32))
    x = vyre.asarray(CAPPED, device=device)
    k(x=x)  # queued: the cap is seen when the stream is synchronized
    with pytest.raises(vyre.Error) as info:
        x.numpy()
    assert_capped(info)
    # Reported once; the array holds what the capped loop left (2^20 halved 8 times).
    np.testing.assert_array_equal(x.numpy(), np.array([1, 1 << 12, 1, 1], np.uint32))
    k(x=vyre.asarray(FITS, device=device))
    vyre.device(device).synchronize()  # the word was zeroed again: nothing to report


def test_prepared_launch_reports_at_stream_synchronize(device):
    pk = vyre.Kernel(HALVE).prepare(device=device)
    s = vyre.device(device).create_stream()
    x = vyre.asarray(CAPPED, device=device)
    pk.launch(x=x, stream=s)
    # The default stream did not run it: nothing to report there.
    vyre.device(device).synchronize()
    with pytest.raises(vyre.Error) as info:
        s.synchronize(timeout=60.0)
    assert_capped(info)
    s.synchronize()
    pk.launch(x=vyre.asarray(FITS, device=device), stream=s)
    s.synchronize()
    pk.launch(x=vyre.asarray(CAPPED, device=device))
    with pytest.raises(vyre.Error) as info:
        vyre.device(device).synchronize()
    assert_capped(info)


def test_graph_replay_reports_at_sync(device):
    pk = vyre.Kernel(HALVE).prepare(device=device)
    x = vyre.asarray(FITS, device=device)
    rec = vyre.GraphRecording(device)
    node = pk.record(rec, x=x)
    graph = rec.instantiate()
    graph.replay()
    vyre.device(device).synchronize()
    x.copy_from(CAPPED)
    graph.replay()
    with pytest.raises(vyre.Error) as info:
        x.numpy()
    assert_capped(info)
    # An updated launch keeps its node's word.
    y = vyre.asarray(CAPPED, device=device)
    pk.update(graph, node, x=y)
    graph.replay()
    with pytest.raises(vyre.Error) as info:
        vyre.device(device).synchronize()
    assert_capped(info)
