"""The heat example: its kernel on resident arrays against NumPy, and the script itself."""

import subprocess
import sys
from pathlib import Path

import numpy as np

import vyre

ROOT = Path(__file__).resolve().parents[2]


def numpy_step(src, alpha):
    dst = np.full_like(src, 100)
    c = src[1:-1, 1:-1]
    neighbours = src[1:-1, :-2] + src[1:-1, 2:] + src[:-2, 1:-1] + src[2:, 1:-1]
    dst[1:-1, 1:-1] = c + alpha * (neighbours - np.float32(4) * c)
    return dst


def test_heat_steps_match_numpy(device):
    heat = vyre.Kernel.from_file(str(ROOT / "examples" / "heat.vy"))
    n, steps, alpha = 24, 15, np.float32(0.2)
    start = np.random.default_rng(1).uniform(0, 50, (n, n)).astype(np.float32)
    src = vyre.asarray(start, device=device)
    dst = vyre.zeros((n, n), device=device)
    step = heat.prepare(device=device, sizes={"w": n, "h": n})
    expected = start
    for _ in range(steps):
        step.launch(src=src, dst=dst, alpha=float(alpha))
        src, dst = dst, src
        expected = numpy_step(expected, alpha)
    np.testing.assert_allclose(src.numpy(), expected, rtol=1e-6, atol=1e-5)


def test_example_script_runs(tmp_path):
    result = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "python" / "heat.py"), "--size", "32",
         "--steps", "20", "--png", str(tmp_path / "heat.png")],
        capture_output=True, text=True, check=True,
    )
    assert "20 steps of 32 x 32 on reference:0" in result.stdout
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        assert "no PNG written" in result.stdout
    else:
        assert (tmp_path / "heat.png").stat().st_size > 0
