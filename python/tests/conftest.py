"""Shared fixtures: a private pipeline cache, and the backends to run every test on."""

import os
import tempfile

# Before vyre opens its process-wide cache: never the user's.
os.environ.setdefault("VYRE_CACHE_DIR", tempfile.mkdtemp(prefix="vyre-pytest-cache-"))

import numpy as np  # noqa: E402
import pytest  # noqa: E402

import vyre  # noqa: E402

SAXPY = """kernel saxpy workgroup(64) {
  param a: f32
  buffer x: read f32[n]
  buffer y: read_write f32[n]
  let i = global_id.x
  if i < len(y) { y[i] = a * x[i] + y[i] }
}"""


def _status(backend):
    for b in vyre.backends():
        if b["id"] == backend:
            return b
    return None


@pytest.fixture(params=["reference", "opencl", "cuda"])
def device(request):
    """A device spec per backend; a backend that cannot start here is skipped with its reason."""
    status = _status(request.param)
    if status is None or not status["available"]:
        why = status["why_unavailable"] if status else "not built"
        pytest.skip(f"{request.param} backend unavailable: {why}")
    return request.param


@pytest.fixture
def saxpy():
    return vyre.Kernel(SAXPY)


@pytest.fixture
def rng():
    return np.random.default_rng(7)
