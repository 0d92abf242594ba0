#!/usr/bin/env python3
"""Prints vyre's resident-buffer figures side by side with their raw-CUDA and CuPy anchors.

Reads the Google Benchmark JSON of vyre_cuda_resident_bench (medians when it ran with
repetitions) and, when given, the JSON of bench/cupy_heat.py, and prints one line per figure of
issue 16's bars: vyre's value, the anchor's, their ratio, the bar and whether it is met.

  resident_figures.py RESIDENT_JSON [CUPY_JSON]
"""
import json
import sys


def load_benchmarks(path):
    with open(path) as file:
        data = json.load(file)
    runs = {}
    for run in data.get("benchmarks", []):
        name = run.get("run_name", run["name"]).split("/")[0]
        if run.get("error_occurred"):
            runs.setdefault(name, {"error": run.get("error_message", "error")})
            continue
        aggregate = run.get("aggregate_name")
        if run.get("run_type") == "aggregate" and aggregate != "median":
            continue
        if aggregate == "median" or name not in runs or "error" in runs[name]:
            runs[name] = run
    return runs


def micros(run):
    scale = {"ns": 1e-3, "us": 1.0, "ms": 1e3, "s": 1e6}[run.get("time_unit", "ns")]
    return run["real_time"] * scale


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    runs = load_benchmarks(sys.argv[1])
    cupy = {}
    if len(sys.argv) > 2:
        try:
            with open(sys.argv[2]) as file:
                cupy = json.load(file)
        except (OSError, ValueError) as error:
            print(f"(no CuPy figures: {error})")

    def value(name, field):
        run = runs.get(name)
        if run is None:
            return None, f"{name} did not run"
        if "error" in run:
            return None, f"{name}: {run['error']}"
        if field == "time_us":
            return micros(run), None
        if field == "GB/s":
            return run["bytes_per_second"] / 1e9, None
        return run.get(field), None

    rows = []

    def figure(title, unit, vyre, anchor_name, anchor, bar, higher_is_better):
        (v, v_err), (a, a_err) = vyre, anchor
        if v is None or a is None:
            rows.append((title, "-", "-", "-", bar, v_err or a_err))
            return
        # ratio >= bar: anchor/vyre for times, vyre/anchor for rates.
        ratio = v / a if higher_is_better else a / v
        met = "met" if ratio >= bar else "MISSED"
        rows.append((title, f"{v:.2f} {unit}", f"{anchor_name} {a:.2f} {unit}",
                     f"{ratio:.3f}", f">= {bar}", met))

    for heat in ("BM_Vyre_PreparedHeat4096", "BM_Vyre_Heat4096"):
        how = "prepared" if "Prepared" in heat else "stream"
        figure(f"heat 4096^2, per step, 1000 steps ({how})", "us", value(heat, "step_us"),
               "raw loop", value("BM_Raw_Heat4096", "step_us"), 0.95, False)
        figure(f"heat 4096^2, per step vs CuPy ({how})", "us", value(heat, "step_us"),
               "CuPy", (cupy.get("heat_step_wall_us"), "cupy_heat.py did not run"), 1.0, False)
    launch = "BM_Vyre_PreparedLaunchSync" if "BM_Vyre_PreparedLaunchSync" in runs \
        else "BM_Vyre_StreamLaunchSync"
    # launch + sync within 1.1x of raw: raw/vyre >= 1/1.1.
    figure(f"launch + sync, saxpy 1k ({launch[8:]})", "us", value(launch, "time_us"),
           "raw cuLaunchKernel", value("BM_Raw_LaunchSync", "time_us"), round(1 / 1.1, 3), False)
    if launch != "BM_Vyre_StreamLaunchSync":
        figure("launch + sync, saxpy 1k (StreamLaunchSync)", "us",
               value("BM_Vyre_StreamLaunchSync", "time_us"), "raw cuLaunchKernel",
               value("BM_Raw_LaunchSync", "time_us"), round(1 / 1.1, 3), False)
    figure("graph replay, per kernel (100 nodes)", "us", value("BM_Vyre_GraphReplay",
                                                                 "per_kernel_us"),
           "raw cuGraphLaunch", value("BM_Raw_GraphReplay", "per_kernel_us"), 1.0, False)
    for direction, raw in (("Upload", "BM_Raw_MemcpyPinnedH2D"),
                           ("Download", "BM_Raw_MemcpyPinnedD2H")):
        for source in ("Staged", "Pinned"):
            figure(f"{direction.lower()} 64 MiB, {source.lower()} host memory", "GB/s",
                   value(f"BM_Vyre_{direction}{source}", "GB/s"), "pinned cuMemcpy",
                   value(raw, "GB/s"), 0.9, True)

    widths = [max(len(str(row[i])) for row in rows) for i in range(6)]
    header = ("figure", "vyre", "anchor", "ratio", "bar", "")
    widths = [max(w, len(h)) for w, h in zip(widths, header)]
    for row in [header] + rows:
        print("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths)).rstrip())
    if cupy:
        print(f"CuPy {cupy.get('cupy_version')}: launch + sync empty "
              f"{cupy.get('launch_sync_empty_us', 0):.2f} us, saxpy 1k "
              f"{cupy.get('launch_sync_saxpy1k_us', 0):.2f} us; heat step by events "
              f"{cupy.get('heat_step_event_us', 0):.2f} us")
    return 0


if __name__ == "__main__":
    sys.exit(main())
