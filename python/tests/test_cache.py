"""The pipeline cache from Python: stats move with compiles and hits; explain; precompile."""

import uuid

import numpy as np

import vyre


def unique_kernel():
    # A constant nobody used before: a program the cache has never seen.
    c = float(uuid.uuid4().int % 100000) + 0.5
    return vyre.Kernel(
        f"""kernel fresh workgroup(32) {{
  buffer y: write f32[n]
  let i = global_id.x
  if i < len(y) {{ y[i] = {c} }}
}}"""
    ), np.float32(c)


def test_stats_count_the_compile_then_the_hit():
    k, c = unique_kernel()
    before = vyre.cache_stats()
    out = k(y=np.zeros(4, np.float32), device="reference")
    np.testing.assert_array_equal(out["y"], np.full(4, c, np.float32))
    after_compile = vyre.cache_stats()
    assert after_compile["compiles"] == before["compiles"] + 1
    assert k.last_report["cache_tier"] == "compiled"
    k(y=np.zeros(4, np.float32), device="reference")
    after_hit = vyre.cache_stats()
    assert after_hit["hits"]["memory"] == after_compile["hits"]["memory"] + 1
    assert after_hit["compiles"] == after_compile["compiles"]
    assert k.last_report["cache_tier"] == "memory"


def test_explain_before_and_after():
    k, _ = unique_kernel()
    miss = k.explain(device="reference")
    assert miss["would_hit"] is False and miss["backend"] == "reference"
    assert miss["miss"] and len(miss["key"]) == 64
    k(y=np.zeros(2, np.float32), device="reference")
    hit = k.explain(device="reference")
    assert hit["would_hit"] is True and hit["key"] == miss["key"]


def test_precompile_makes_the_call_a_hit():
    kernels = [unique_kernel()[0] for _ in range(3)]
    done = vyre.precompile(kernels, device="reference")
    assert [d["tier"] for d in done] == ["compiled"] * 3
    assert all(d["backend"] == "reference" for d in done)
    kernels[1](y=np.zeros(2, np.float32), device="reference")
    assert kernels[1].last_report["cache_tier"] == "memory"
