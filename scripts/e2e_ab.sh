#!/usr/bin/env bash
# The fresh-process disk hit of vyre_e2e_bench, a baseline tree against this one, side by side in
# one call: ROUNDS rounds, each running the baseline's bench and then this tree's (the order
# alternates between rounds), SAMPLES fresh processes each; then the medians per round and the
# ratio of their medians. Used on the GPU machine by scripts/device.sh (step e2e-ab):
#   scripts/e2e_ab.sh BASE_SRC BUILD_NEW [ROUNDS] [SAMPLES] [BACKEND]
# BASE_SRC is a source tree (e.g. `git archive e4bef6a | tar -x -C .deps/base`); it is built
# into build-base with the same BLAKE3/xxhash/CUDA settings as this tree.
set -uo pipefail
BASE_SRC="$1"
BUILD_NEW="$2"
ROUNDS="${3:-6}"
SAMPLES="${4:-21}"
BACKEND="${5:-cuda}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_BASE="$ROOT/build-base"
OUT="${RESULTS:-$BUILD_NEW}/e2e_ab"
mkdir -p "$OUT"

cmake -S "$BASE_SRC" -B "$BUILD_BASE" -G "Unix Makefiles" -DCMAKE_BUILD_TYPE=Release \
  -DVYRE_BLAKE3_DIR="$ROOT/.deps/blake3" -DVYRE_XXHASH_INCLUDE="$ROOT/.deps/xxhash" \
  ${VYRE_AB_CMAKE_ARGS:-} >"$OUT/base_configure.log" 2>&1 || { tail -20 "$OUT/base_configure.log"; exit 1; }
cmake --build "$BUILD_BASE" -j"$(nproc)" --target vyre_e2e_bench >"$OUT/base_build.log" 2>&1 ||
  { tail -20 "$OUT/base_build.log"; exit 1; }

for ((r = 0; r < ROUNDS; ++r)); do
  order=(base new)
  if ((r % 2 == 1)); then order=(new base); fi
  for side in "${order[@]}"; do
    build="$BUILD_BASE"
    [[ $side == new ]] && build="$BUILD_NEW"
    "$build/bench/vyre_e2e_bench" --backends "$BACKEND" --samples "$SAMPLES" >"$OUT/$side.$r.json" ||
      { echo "vyre_e2e_bench ($side, round $r) failed"; exit 1; }
  done
done

python3 - "$OUT" "$ROUNDS" <<'PY'
import json, statistics, sys
out, rounds = sys.argv[1], int(sys.argv[2])
def load(side, r):
    d = json.load(open(f"{out}/{side}.{r}.json"))["results"][0]
    hit, steps = d["disk_hit_fresh_process"], d["lookup_breakdown_fresh_process"]
    row = {"obtain": hit["median_obtain_us"], "lookup": hit["median_lookup_us"],
           "load": hit["median_load_us"], "identify": steps["median_identify_us"],
           "first_disk_read": steps["median_first_disk_read_us"]}
    row["rest"] = row["obtain"] - row["lookup"] - row["load"]
    if "raw_first_load_fresh_process" in d:
        row["raw_first_load"] = d["raw_first_load_fresh_process"]["median_load_us"]
        row["paired_share"] = d["obtain_minus_raw_load_paired_us"]["median"]
    return row
summary = {}
for side in ("base", "new"):
    rows = [load(side, r) for r in range(rounds)]
    summary[side] = {k: [round(row[k], 1) for row in rows] for k in rows[0]}
    summary[side]["medians_of_rounds"] = {k: round(statistics.median(row[k] for row in rows), 1)
                                          for k in rows[0]}
summary["ratio_new_over_base"] = {
    k: round(summary["new"]["medians_of_rounds"][k] / summary["base"]["medians_of_rounds"][k], 3)
    for k in ("obtain", "lookup", "load") if summary["base"]["medians_of_rounds"][k] > 0}
print(json.dumps(summary, indent=1))
json.dump(summary, open(f"{out}/summary.json", "w"), indent=1)
PY
# One archive of the per-run JSON files, so they travel as one file.
tar -czf "$OUT/runs.tar.gz" -C "$OUT" $(cd "$OUT" && ls base.*.json new.*.json) && rm -f "$OUT"/base.*.json "$OUT"/new.*.json
