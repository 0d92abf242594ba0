"""Recorded graphs: launches, copies and fills recorded once and replayed on a stream, with the
replayed results checked against NumPy; argument updates between replays; errors as vyre.Error."""

import os

import numpy as np
import pytest

import vyre

from conftest import SAXPY, _status

HEAT = os.path.join(os.path.dirname(__file__), "..", "..", "examples", "heat.vy")


def heat_step(src, alpha):
    """examples/heat.vy in NumPy, in the kernel's order of operations (float32 throughout)."""
    dst = np.full_like(src, 100.0)
    c = src[1:-1, 1:-1]
    neighbours = src[1:-1, :-2] + src[1:-1, 2:] + src[:-2, 1:-1] + src[2:, 1:-1]
    dst[1:-1, 1:-1] = c + np.float32(alpha) * (neighbours - np.float32(4.0) * c)
    return dst


def test_saxpy_graph_replays_its_launches(device, rng):
    k = vyre.Kernel(SAXPY).prepare(device=device)
    xs = rng.standard_normal(1000).astype(np.float32)
    x = vyre.asarray(xs, device=device)
    y = vyre.zeros(1000, device=device)
    rec = vyre.GraphRecording(device)
    first = k.record(rec, x=x, y=y, a=2.0)
    second = k.record(rec, x=x, y=y, a=0.5)
    assert (first, second) == (0, 1) and len(rec) == 2
    # Recording ran nothing.
    assert (y.numpy() == 0).all()
    graph = rec.instantiate()
    assert len(graph) == 2 and graph.device == vyre.device(device)
    expected = np.zeros(1000, np.float32)
    for _ in range(3):
        graph.replay()
        expected = np.float32(0.5) * xs + (np.float32(2.0) * xs + expected)
    np.testing.assert_array_equal(y.numpy(), expected)


def test_fill_and_copy_nodes_run_in_recorded_order(device):
    k = vyre.Kernel(SAXPY).prepare(device=device)
    x = vyre.asarray(np.arange(64, dtype=np.float32), device=device)
    y = vyre.empty(64, device=device)
    saved = vyre.empty(64, device=device)
    rec = vyre.GraphRecording(vyre.device(device))
    rec.fill(y, 1.0)
    k.record(rec, x=x, y=y, a=3.0)
    rec.copy(y, saved)
    k.record(rec, x=x, y=y, a=3.0)
    graph = rec.instantiate()
    graph.replay()
    graph.replay()  # the fill resets y each time
    xs = np.arange(64, dtype=np.float32)
    np.testing.assert_array_equal(saved.numpy(), 3 * xs + 1)
    np.testing.assert_array_equal(y.numpy(), 3 * xs + (3 * xs + 1))


def test_heat_ping_pong_graph_matches_numpy(device):
    n, alpha, pairs = 34, 0.2, 5
    step = vyre.Kernel.from_file(HEAT).prepare(device=device, sizes={"w": n, "h": n})
    a = vyre.zeros((n, n), device=device)
    b = vyre.zeros((n, n), device=device)
    rec = vyre.GraphRecording(device)
    step.record(rec, src=a, dst=b, alpha=alpha)
    step.record(rec, src=b, dst=a, alpha=alpha)
    graph = rec.instantiate()
    stream = vyre.device(device).create_stream()
    for _ in range(pairs):
        graph.replay(stream=stream)
    stream.synchronize(timeout=60.0)
    expected = np.zeros((n, n), np.float32)
    for _ in range(2 * pairs):
        expected = heat_step(expected, alpha)
    np.testing.assert_allclose(a.numpy(), expected, rtol=1e-6, atol=1e-6)
    # Heat moved in from the hot frame, a cell per step.
    assert a.numpy()[0, 0] == 100.0 and 0 < a.numpy()[3, n // 2] < 100


def test_update_rebinds_a_launch_between_replays(device):
    k = vyre.Kernel(SAXPY).prepare(device=device)
    x = vyre.asarray(np.ones(32, np.float32), device=device)
    y1 = vyre.zeros(32, device=device)
    y2 = vyre.zeros(32, device=device)
    rec = vyre.GraphRecording(device)
    node = k.record(rec, x=x, y=y1, a=1.0)
    graph = rec.instantiate()
    graph.replay()
    k.update(graph, node, x=x, y=y2, a=4.0)
    graph.replay()
    graph.replay()
    np.testing.assert_array_equal(y1.numpy(), np.ones(32, np.float32))
    np.testing.assert_array_equal(y2.numpy(), np.full(32, 8.0, np.float32))
    # The recording is unchanged by the graph's update: a second graph replays the original.
    again = rec.instantiate()
    again.replay()
    np.testing.assert_array_equal(y1.numpy(), np.full(32, 2.0, np.float32))


def test_graph_errors_are_vyre_errors(device):
    k = vyre.Kernel(SAXPY).prepare(device=device)
    x = vyre.asarray(np.ones(8, np.float32), device=device)
    y = vyre.zeros(8, device=device)
    rec = vyre.GraphRecording(device)
    with pytest.raises(vyre.Error) as info:
        k.record(rec, x=np.ones(8, np.float32), y=y, a=1.0)
    assert info.value.code == "VY4209"
    with pytest.raises(vyre.Error) as info:
        k.record(rec, x=x, y=y)
    assert info.value.code == "VY4006"
    with pytest.raises(vyre.Error) as info:
        k.record(rec, x=x, y=vyre.zeros(8, dtype="int32", device=device), a=1.0)
    assert info.value.code == "VY4209"
    with pytest.raises(vyre.Error) as info:
        rec.copy(x, vyre.zeros(4, device=device))
    assert info.value.code == "VY4204"
    assert len(rec) == 0  # nothing failed was recorded
    fill = rec.fill(y, 1.0)
    graph = rec.instantiate()
    with pytest.raises(vyre.Error) as info:
        k.update(graph, fill, x=x, y=y, a=1.0)
    assert info.value.code == "VY4211"
    with pytest.raises(vyre.Error) as info:
        k.update(graph, 7, x=x, y=y, a=1.0)
    assert info.value.code == "VY4211"


def test_graph_of_another_device_is_refused():
    status = _status("opencl")
    if status is None or not status["available"]:
        pytest.skip("opencl backend unavailable: " + (status["why_unavailable"] if status else "not built"))
    k = vyre.Kernel(SAXPY).prepare(device="reference")
    x = vyre.asarray(np.ones(8, np.float32))
    y = vyre.zeros(8)
    rec = vyre.GraphRecording("opencl")
    with pytest.raises(vyre.Error) as info:
        k.record(rec, x=x, y=y, a=1.0)
    assert info.value.code == "VY4203"
    with pytest.raises(vyre.Error) as info:
        rec.fill(y, 1.0)
    assert info.value.code == "VY4203"
    graph = vyre.GraphRecording("reference").instantiate()
    with pytest.raises(vyre.Error) as info:
        graph.replay(stream=vyre.device("opencl").default_stream())
    assert info.value.code == "VY4203"


def test_replay_takes_a_stream_or_none():
    graph = vyre.GraphRecording().instantiate()
    assert len(graph) == 0
    graph.replay()
    graph.replay(stream=None)
    graph.replay(stream=vyre.device().create_stream())
    with pytest.raises(TypeError):
        graph.replay(stream="default")
