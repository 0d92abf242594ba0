"""The 2-D heat equation on arrays that stay on the device.

    python3 examples/python/heat.py                     # reference backend, 128 x 128, 500 steps
    python3 examples/python/heat.py --device opencl --size 512 --steps 2000 --png heat.png

Each step runs examples/heat.vy (dst = src + alpha * laplacian(src), boundary held at 100) and
swaps the two grids; nothing crosses to the host until the end. Saves a PNG with matplotlib when
it is installed.
"""

import argparse
import time
from pathlib import Path

import numpy as np

import vyre

KERNEL = Path(__file__).resolve().parents[1] / "heat.vy"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="reference", help='"reference", "opencl", "cuda:0"')
    parser.add_argument("--size", type=int, default=128, help="grid cells per side")
    parser.add_argument("--steps", type=int, default=500)
    parser.add_argument("--alpha", type=float, default=0.2, help="<= 0.25 keeps it stable")
    parser.add_argument("--png", default="heat.png")
    args = parser.parse_args()

    heat = vyre.Kernel.from_file(str(KERNEL))
    n = args.size
    # The grid starts cold; the kernel holds the frame at 100.
    src = vyre.zeros((n, n), device=args.device)
    dst = vyre.zeros((n, n), device=args.device)
    step = heat.prepare(device=args.device, sizes={"w": n, "h": n})
    start = time.perf_counter()
    for _ in range(args.steps):
        step.launch(src=src, dst=dst, alpha=args.alpha)
        src, dst = dst, src
    grid = src.numpy()  # the one copy back (waits for the steps)
    seconds = time.perf_counter() - start
    print(
        f"{args.steps} steps of {n} x {n} on {step.device.id}: {seconds:.3f} s "
        f"({seconds / args.steps * 1e6:.1f} us per step); centre {grid[n // 2, n // 2]:.3f}, "
        f"mean {grid.mean():.3f}"
    )
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed: no PNG written")
        return
    plt.imshow(grid, cmap="inferno", vmin=0, vmax=100)
    plt.colorbar(label="temperature")
    plt.title(f"heat after {args.steps} steps ({step.device.id})")
    plt.savefig(args.png, dpi=120)
    print(f"wrote {args.png}")


if __name__ == "__main__":
    main()
