#!/usr/bin/env python3
"""vyre from Python against CuPy on resident arrays, the same CUDA kernel on both sides.

    python3 bench/python_vs_cupy.py --vyre build-device/vyre [--out results.json]

The CUDA source CuPy launches is what vyre's cuda backend generates (`vyre emit --backend cuda`),
so both sides run one kernel and differ only in the launch path. Measured in one process,
in alternating rounds (medians over rounds):
  - per call: a prepared saxpy launch on resident arrays (1024 elements), then a sync; CuPy
    RawKernel launch, then a sync;
  - heat stencil per step (examples/heat.vy, 4096 x 4096, steps queued, one sync at the end).
Exit 2 when CuPy or the cuda backend is missing here (reported, not a failure).
"""

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def emitted(vyre_bin, kernel):
    return subprocess.run([vyre_bin, "emit", str(kernel), "--backend", "cuda"], check=True,
                          capture_output=True, text=True).stdout


def per_call(fn, sync, calls):
    start = time.perf_counter()
    for _ in range(calls):
        fn()
        sync()
    return (time.perf_counter() - start) / calls * 1e6


def queued(fn, sync, calls):
    sync()
    start = time.perf_counter()
    for _ in range(calls):
        fn()
    sync()
    return (time.perf_counter() - start) / calls * 1e6


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--vyre", required=True, help="the vyre binary (for `vyre emit`)")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--out")
    args = parser.parse_args()
    try:
        import cupy
        import vyre
    except ImportError as e:
        print(f"skipped: {e}")
        return 2
    if not any(b["id"] == "cuda" and b["available"] for b in vyre.backends()):
        print("skipped: the cuda backend is unavailable")
        return 2

    # saxpy, 1024 elements: the per-call cost.
    n = 1024
    saxpy_path = ROOT / "examples" / "saxpy.vy"
    saxpy = vyre.Kernel.from_file(str(saxpy_path))
    vx = vyre.asarray(np.arange(n, dtype=np.float32), device="cuda")
    vy = vyre.asarray(np.ones(n, np.float32), device="cuda")
    step = saxpy.prepare(device="cuda", sizes={"n": n})
    dev = vyre.device("cuda")
    # vyre compiles without FMA contraction (exact IEEE arithmetic): CuPy gets the same option.
    raw = cupy.RawKernel(emitted(args.vyre, saxpy_path), "vyre_main", options=("--fmad=false",))
    cx = cupy.arange(n, dtype=cupy.float32)
    cy = cupy.ones(n, dtype=cupy.float32)
    grid = ((n + 255) // 256,)
    cargs = (cx, np.uint64(n), cy, np.uint64(n), np.float32(2.5), np.uint32(n))

    def v_saxpy():
        step.launch(x=vx, y=vy, a=2.5)

    def c_saxpy():
        raw(grid, (256,), cargs)

    csync = cupy.cuda.Device().synchronize

    # heat, 4096 x 4096: the per-step cost with steps queued.
    w = h = 4096
    heat_path = ROOT / "examples" / "heat.vy"
    heat = vyre.Kernel.from_file(str(heat_path))
    hstep = heat.prepare(device="cuda", sizes={"w": w, "h": h})
    grids = [vyre.zeros((h, w), device="cuda"), vyre.zeros((h, w), device="cuda")]
    hraw = cupy.RawKernel(emitted(args.vyre, heat_path), "vyre_main", options=("--fmad=false",))
    cgrids = [cupy.zeros((h, w), cupy.float32), cupy.zeros((h, w), cupy.float32)]
    hgrid = ((w + 15) // 16, (h + 15) // 16)
    count = np.uint64(w * h)
    flip = [0]

    def v_heat():
        a, b = grids[flip[0]], grids[1 - flip[0]]
        hstep.launch(src=a, dst=b, alpha=0.2)
        flip[0] = 1 - flip[0]

    def c_heat():
        a, b = cgrids[flip[0]], cgrids[1 - flip[0]]
        hraw(hgrid, (16, 16), (a, count, b, count, np.float32(0.2), np.uint32(w), np.uint32(h)))
        flip[0] = 1 - flip[0]

    for f, s in ((v_saxpy, dev.synchronize), (c_saxpy, csync)):  # warm-up
        per_call(f, s, 200)
    for f, s in ((v_heat, dev.synchronize), (c_heat, csync)):
        queued(f, s, 20)

    rows = {"vyre_call_us": [], "cupy_call_us": [], "vyre_heat_us": [], "cupy_heat_us": []}
    for _ in range(args.rounds):
        rows["vyre_call_us"].append(per_call(v_saxpy, dev.synchronize, 2000))
        rows["cupy_call_us"].append(per_call(c_saxpy, csync, 2000))
        rows["vyre_heat_us"].append(queued(v_heat, dev.synchronize, 200))
        rows["cupy_heat_us"].append(queued(c_heat, csync, 200))
    med = {k: statistics.median(v) for k, v in rows.items()}
    # Same results on both sides after the same number of heat steps and saxpy calls.
    vgrid, cgrid = grids[flip[0]].numpy(), cupy.asnumpy(cgrids[flip[0]])
    ok_heat = np.array_equal(vgrid, cgrid)
    ok_saxpy = np.array_equal(vy.numpy(), cupy.asnumpy(cy))
    differ = np.argwhere(vgrid != cgrid)
    result = {"medians_us": med, "rounds": rows, "heat_results_equal": bool(ok_heat),
              "saxpy_results_equal": bool(ok_saxpy),
              "heat_cells_differing": int(differ.shape[0]),
              "heat_max_abs_difference": float(np.max(np.abs(vgrid - cgrid))),
              "heat_first_difference": [int(v) for v in differ[0]] if differ.shape[0] else None,
              "heat_dtypes": [str(vgrid.dtype), str(cgrid.dtype)],
              "call_ratio_vyre_over_cupy": med["vyre_call_us"] / med["cupy_call_us"],
              "heat_ratio_vyre_over_cupy": med["vyre_heat_us"] / med["cupy_heat_us"]}
    # Which side departs, on one step from the same grid (the final one, whose far interior holds
    # values down to the subnormal range), against NumPy's float32 arithmetic: IEEE, subnormals
    # kept, no contraction, the kernel's order of operations (docs/IR.md).
    src = vgrid
    vsrc, vdst = vyre.asarray(src, device="cuda"), vyre.zeros((h, w), device="cuda")
    hstep.launch(src=vsrc, dst=vdst, alpha=0.2)
    csrc, cdst = cupy.asarray(src), cupy.zeros((h, w), cupy.float32)
    hraw(hgrid, (16, 16), (csrc, count, cdst, count, np.float32(0.2), np.uint32(w), np.uint32(h)))
    expected = np.full((h, w), np.float32(100.0), np.float32)
    c = src[1:-1, 1:-1]
    neighbours = src[1:-1, :-2] + src[1:-1, 2:] + src[:-2, 1:-1] + src[2:, 1:-1]
    expected[1:-1, 1:-1] = c + np.float32(0.2) * (neighbours - np.float32(4.0) * c)
    one_v, one_c = vdst.numpy(), cupy.asnumpy(cdst)
    tiny = np.finfo(np.float32).tiny
    for name, got in (("vyre", one_v), ("cupy", one_c)):
        off = got != expected
        result[f"one_step_{name}_cells_differing_from_numpy"] = int(np.count_nonzero(off))
        result[f"one_step_{name}_differing_where_expected_subnormal"] = int(
            np.count_nonzero(off & (np.abs(expected) < tiny)))
    print(json.dumps(result, indent=1))
    if args.out:
        Path(args.out).write_text(json.dumps(result, indent=1))
    return 0 if ok_heat and ok_saxpy else 1


if __name__ == "__main__":
    sys.exit(main())
