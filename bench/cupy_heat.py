#!/usr/bin/env python3
"""CuPy anchors for vyre's resident-buffer benchmarks (bench/cuda_resident_bench.cpp).

The same 5-point heat stencil as examples/stencil.vy, written as a CuPy RawKernel the way a
CuPy user would (16x16 blocks, as vyre's kernel), on arrays that stay on the device:

  heat_step_wall_us        1000 steps ping-pong then one sync, wall clock / 1000 (median of blocks)
  heat_step_event_us       median device time of one step (events between consecutive steps)
  launch_sync_empty_us     an empty RawKernel launch + stream synchronize (median)
  launch_sync_saxpy1k_us   saxpy on 1,000 f32 elements launch + synchronize (median), the kernel
                           vyre's prepared-launch benchmark runs

Prints one JSON object (also written to --out). Exits 2 with a reason when CuPy or a GPU is
missing, so scripts/device.sh can report it and go on.
"""
import argparse
import json
import statistics
import sys
import time

HEAT_SOURCE = r"""
extern "C" __global__ void heat(const float* src, float* dst, float alpha,
                                unsigned int w, unsigned int h) {
  unsigned int x = blockIdx.x * blockDim.x + threadIdx.x;
  unsigned int y = blockIdx.y * blockDim.y + threadIdx.y;
  if (x < w && y < h) {
    unsigned int i = y * w + x;
    if (x == 0u || y == 0u || x + 1u == w || y + 1u == h) {
      dst[i] = src[i];
    } else {
      float neighbours = src[i - 1u] + src[i + 1u] + src[i - w] + src[i + w];
      dst[i] = src[i] + alpha * (neighbours - 4.0f * src[i]);
    }
  }
}
"""
SAXPY_SOURCE = r"""
extern "C" __global__ void saxpy(float a, const float* x, float* y, unsigned int n) {
  unsigned int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) y[i] = a * x[i] + y[i];
}
"""
EMPTY_SOURCE = r"""extern "C" __global__ void empty() {}"""


def numpy_heat_step(np, src, alpha):
    dst = src.copy()
    inner = src[1:-1, 1:-1]
    neighbours = src[1:-1, :-2] + src[1:-1, 2:] + src[:-2, 1:-1] + src[2:, 1:-1]
    dst[1:-1, 1:-1] = inner + np.float32(alpha) * (neighbours - np.float32(4.0) * inner)
    return dst


def median_call_us(call, sync, samples):
    for _ in range(min(1000, samples)):  # warm-up
        call()
        sync()
    times = []
    for _ in range(samples):
        start = time.perf_counter_ns()
        call()
        sync()
        times.append(time.perf_counter_ns() - start)
    return statistics.median(times) / 1e3


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--side", type=int, default=4096)
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--blocks", type=int, default=7, help="1000-step blocks timed")
    parser.add_argument("--launches", type=int, default=20000)
    parser.add_argument("--alpha", type=float, default=0.2)
    parser.add_argument("--out", help="also write the JSON here")
    args = parser.parse_args()

    try:
        import cupy as cp
        import numpy as np
        cp.cuda.runtime.getDeviceCount()
    except Exception as error:  # no CuPy, or no device: a reason, not a traceback
        print(f"cupy_heat: skipped: {error}", file=sys.stderr)
        return 2

    stream = cp.cuda.Stream(non_blocking=True)
    heat = cp.RawKernel(HEAT_SOURCE, "heat")
    saxpy = cp.RawKernel(SAXPY_SOURCE, "saxpy")
    empty = cp.RawKernel(EMPTY_SOURCE, "empty")
    side = args.side
    alpha = np.float32(args.alpha)
    block = (16, 16, 1)
    grid = ((side + 15) // 16, (side + 15) // 16, 1)
    w = np.uint32(side)

    with stream:
        # Correctness first: three steps on a small grid against NumPy.
        small = 64
        host = np.random.default_rng(1).uniform(-2, 2, (small, small)).astype(np.float32)
        a, b = cp.asarray(host), cp.empty_like(cp.asarray(host))
        expected = host
        for _ in range(3):
            heat(((small + 15) // 16, (small + 15) // 16, 1), block,
                 (a, b, alpha, np.uint32(small), np.uint32(small)))
            a, b = b, a
            expected = numpy_heat_step(np, expected, alpha)
        if not np.allclose(cp.asnumpy(a), expected, rtol=1e-5, atol=1e-5):
            print("cupy_heat: the CuPy stencil disagrees with NumPy", file=sys.stderr)
            return 1

        grids = [cp.ones((side, side), dtype=cp.float32), cp.empty((side, side), cp.float32)]
        grids[0][side // 2, :] = 100.0
        grids[1][...] = grids[0]

        def run_steps(count):
            for step in range(count):
                heat(grid, block, (grids[step % 2], grids[1 - step % 2], alpha, w, w))

        run_steps(20)
        stream.synchronize()
        block_times = []
        for _ in range(args.blocks):
            start = time.perf_counter_ns()
            run_steps(args.steps)
            stream.synchronize()
            block_times.append(time.perf_counter_ns() - start)
        heat_step_wall_us = statistics.median(block_times) / 1e3 / args.steps

        events = [cp.cuda.Event() for _ in range(args.steps + 1)]
        events[0].record(stream)
        for step in range(args.steps):
            heat(grid, block, (grids[step % 2], grids[1 - step % 2], alpha, w, w))
            events[step + 1].record(stream)
        events[-1].synchronize()
        step_ms = [cp.cuda.get_elapsed_time(events[k], events[k + 1]) for k in range(args.steps)]
        heat_step_event_us = statistics.median(step_ms) * 1e3

        n = 1000
        x = cp.ones(n, dtype=cp.float32)
        y = cp.zeros(n, dtype=cp.float32)
        launch_sync_empty_us = median_call_us(lambda: empty((1,), (32,), ()), stream.synchronize,
                                              args.launches)
        launch_sync_saxpy1k_us = median_call_us(
            lambda: saxpy(((n + 255) // 256,), (256,), (np.float32(2.0), x, y, np.uint32(n))),
            stream.synchronize, args.launches)

    result = {
        "cupy_version": cp.__version__,
        "device": cp.cuda.runtime.getDeviceProperties(0)["name"].decode(),
        "side": side,
        "steps": args.steps,
        "heat_step_wall_us": heat_step_wall_us,
        "heat_step_event_us": heat_step_event_us,
        "launch_sync_empty_us": launch_sync_empty_us,
        "launch_sync_saxpy1k_us": launch_sync_saxpy1k_us,
    }
    text = json.dumps(result, indent=2)
    print(text)
    if args.out:
        with open(args.out, "w") as out:
            out.write(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
