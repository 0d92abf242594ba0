"""Kernel calls on NumPy arrays: results, shapes, sizes, params, errors."""

import numpy as np
import pytest

import vyre
from conftest import SAXPY

MATMUL = """kernel matmul workgroup(8, 8) dispatch(n, m) {
  buffer a: read f32[m*k]
  buffer b: read f32[k*n]
  buffer c: write f32[m*n]
  let col = global_id.x
  let row = global_id.y
  if row < m && col < n {
    var acc = 0.0
    for j in 0u..k { acc = acc + a[row * k + j] * b[j * n + col] }
    c[row * n + col] = acc
  }
}"""


def test_saxpy_equals_numpy(device, saxpy, rng):
    x = rng.standard_normal(300).astype(np.float32)
    y = rng.standard_normal(300).astype(np.float32)
    out = saxpy(x=x, y=y, a=2.5, device=device)
    assert set(out) == {"y"}
    assert out["y"].dtype == np.float32 and out["y"].shape == (300,)
    # No contraction: a * x rounds, then + y rounds, exactly as NumPy's float32 arithmetic.
    np.testing.assert_array_equal(out["y"], np.float32(2.5) * x + y)
    assert saxpy.last_report["backend"] == device
    # The input is not modified: the call works on copies.
    assert not np.array_equal(y, out["y"])


def test_two_dimensional_shapes_bind_sizes(device, rng):
    k = vyre.Kernel(MATMUL)
    a = rng.standard_normal((5, 3)).astype(np.float32)
    b = rng.standard_normal((3, 4)).astype(np.float32)
    c = k(a=a, b=b, device=device)["c"]
    assert c.shape == (5, 4)
    np.testing.assert_allclose(c, a @ b, rtol=1e-5, atol=1e-6)
    assert k.last_report["sizes"] == {"m": 5, "k": 3, "n": 4}


def test_explicit_sizes_for_flat_inputs(rng):
    k = vyre.Kernel(MATMUL)
    a = rng.standard_normal((2, 3)).astype(np.float32)
    b = rng.standard_normal((3, 2)).astype(np.float32)
    c = k(a=a.ravel(), b=b.ravel(), sizes={"m": 2, "k": 3, "n": 2})["c"]
    np.testing.assert_allclose(c, a @ b, rtol=1e-5)


def test_integer_params_and_outputs(device):
    k = vyre.Kernel(
        """kernel scale workgroup(32) {
  param s: i32
  buffer x: read i32[n]
  buffer y: write i32[n]
  let i = global_id.x
  if i < len(x) { y[i] = x[i] * s }
}"""
    )
    x = np.arange(-10, 10, dtype=np.int32)
    np.testing.assert_array_equal(k(x=x, s=-3, device=device)["y"], x * -3)
    np.testing.assert_array_equal(k(x=x, s=np.int32(4), device=device)["y"], x * 4)


def test_dtype_mismatch_names_buffer_and_types(saxpy):
    with pytest.raises(vyre.Error) as info:
        saxpy(x=np.ones(4), y=np.ones(4, np.float32), a=1.0)
    e = info.value
    assert e.code == "VY4008"
    assert "`x`" in e.message and "f32" in e.message and "float64" in e.message
    assert "astype" in e.help


def test_unsupported_dtype_is_a_type_error(saxpy):
    with pytest.raises(vyre.Error) as info:
        saxpy(x=np.ones(4, np.float16), y=np.ones(4, np.float32), a=1.0)
    assert info.value.code == "VY4008"
    assert "float16" in info.value.message


def test_param_type_checked(saxpy):
    k = vyre.Kernel(SAXPY.replace("param a: f32", "param a: u32").replace("a * x[i]", "f32(a) * x[i]"))
    with pytest.raises(vyre.Error) as info:
        k(x=np.ones(4, np.float32), y=np.ones(4, np.float32), a=2.5)
    assert info.value.code == "VY4008"
    with pytest.raises(vyre.Error) as info:
        k(x=np.ones(4, np.float32), y=np.ones(4, np.float32), a=-1)
    assert info.value.code == "VY4008" and "out of range" in info.value.message
    np.testing.assert_array_equal(
        k(x=np.ones(4, np.float32), y=np.ones(4, np.float32), a=3)["y"], np.full(4, 4, np.float32)
    )


def test_wrong_buffer_name_raises(saxpy):
    with pytest.raises(vyre.Error) as info:
        saxpy(x=np.ones(4, np.float32), yy=np.ones(4, np.float32), a=1.0)
    assert info.value.code == "VY4007"
    assert "`yy`" in info.value.message
    assert "x, y, a (param)" in info.value.help


def test_missing_read_buffer_raises(saxpy):
    with pytest.raises(vyre.Error) as info:
        saxpy(y=np.ones(4, np.float32), a=1.0)
    assert info.value.code == "VY4006"


def test_length_mismatch_raises(saxpy):
    with pytest.raises(vyre.Error) as info:
        saxpy(x=np.ones(4, np.float32), y=np.ones(5, np.float32), a=1.0)
    assert info.value.code.startswith("VY")
    assert info.value.help


def test_parse_error_carries_location():
    with pytest.raises(vyre.Error) as info:
        vyre.Kernel(
            "kernel k workgroup(64) {\n  buffer x: read f32[n]\n  buffer y: write f32[n]\n"
            "  x[0] = 1.0\n}"
        )
    e = info.value
    assert e.code == "VY2005"
    assert e.location == (4, 3)
    assert e.notes and e.notes[0][1] == (2, 10)
    assert e.help
    assert "VY2005" in str(e)


def test_from_file_and_metadata(tmp_path):
    path = tmp_path / "saxpy.vy"
    path.write_text(SAXPY)
    k = vyre.Kernel.from_file(str(path))
    assert k.name == "saxpy"
    assert [b["name"] for b in k.buffers] == ["x", "y"]
    assert k.buffers[1]["access"] == "read_write" and k.buffers[1]["dtype"] == np.float32
    assert k.params == [{"name": "a", "type": "f32", "dtype": np.dtype(np.float32)}]
    assert k.size_symbols == ["n"]
    assert len(k.digest) == 64
    assert vyre.Kernel(k.source).digest == k.digest
    with pytest.raises(vyre.Error) as info:
        vyre.Kernel.from_file(str(tmp_path / "missing.vy"))
    assert info.value.code == "VY8001"


def test_lists_convert_to_the_declared_dtype(saxpy):
    out = saxpy(x=[1, 2, 3], y=[0.5, 0.5, 0.5], a=2.0)
    np.testing.assert_array_equal(out["y"], np.array([2.5, 4.5, 6.5], np.float32))


def test_non_contiguous_input(saxpy):
    x = np.arange(20, dtype=np.float32)[::2]
    out = saxpy(x=x, y=np.zeros(10, np.float32), a=1.0)
    np.testing.assert_array_equal(out["y"], x)


def test_version_is_the_projects():
    import re
    from pathlib import Path

    cmake = Path(__file__).resolve().parents[2] / "CMakeLists.txt"
    if cmake.exists():
        expected = re.search(r"project\(vyre VERSION ([0-9.]+)", cmake.read_text()).group(1)
        assert vyre.__version__ == expected
    assert re.fullmatch(r"[0-9]+\.[0-9]+\.[0-9]+", vyre.__version__)
