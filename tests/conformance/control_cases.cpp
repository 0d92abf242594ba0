// Control-flow corners: barrier reductions and scans, for loops with break/continue and steps
// near overflow, capped while loops, select and short-circuit evaluation, early return, and
// multi-dimensional dispatch builtins.
#include <gtest/gtest.h>

#include "conformance.h"

namespace vyre::conformance {
namespace {

RunInputs random_input(const std::string& name, std::size_t count, std::uint64_t seed) {
  RunInputs in;
  in.buffers[name] = HostBuffer::of(ir::Type::U32, random_u32(count, seed));
  return in;
}

}  // namespace

std::vector<Case> control_cases() {
  std::vector<Case> cases;
  cases.push_back({"barrier_reduction",
                   R"(kernel barrier_reduction workgroup(256) {
  buffer v: read u32[n]
  buffer sums: write u32[n]
  buffer fsums: write f32[n]
  shared t: u32[256]
  shared f: f32[256]
  let lid = local_id.x
  t[lid] = v[global_id.x]
  f[lid] = f32(v[global_id.x] & 0xffffu) * 0.001
  barrier()
  var stride = 128u
  while stride > 0u max 9 {
    if lid < stride {
      t[lid] = t[lid] + t[lid + stride]
      f[lid] = f[lid] + f[lid + stride]
    }
    barrier()
    stride = stride / 2u
  }
  if lid == 0u {
    sums[group_id.x] = t[0u]
    fsums[group_id.x] = f[0u]
  }
})",
                   [] { return random_input("v", 1024, 21); }});

  cases.push_back({"barrier_scan",
                   R"(kernel barrier_scan workgroup(64) {
  buffer v: read u32[n]
  buffer scan: write u32[n]
  shared a: u32[64]
  shared b: u32[64]
  let lid = local_id.x
  a[lid] = v[global_id.x] % 1000u
  barrier()
  for step in 0u..6u {
    let offset = 1u << step
    if step % 2u == 0u {
      b[lid] = a[lid] + select(lid >= offset, a[lid - offset], 0u)
    } else {
      a[lid] = b[lid] + select(lid >= offset, b[lid - offset], 0u)
    }
    barrier()
  }
  scan[global_id.x] = a[lid]
})",
                   [] { return random_input("v", 256, 22); }});

  cases.push_back({"loops_break_continue",
                   R"(kernel loops_break_continue workgroup(32) {
  buffer v: read u32[n]
  buffer out: write u32[n]
  buffer wrapped: write u32[n]
  buffer signed_loop: write i32[n]
  let i = global_id.x
  if i < len(v) {
    var acc = 0u
    for k in 0u..v[i] % 40u {
      if k % 3u == 0u {
        continue
      }
      for j in k..k + 10u step 3 {
        if j > 25u {
          break
        }
        acc = acc + j
      }
      if acc > 400u {
        break
      }
      acc = acc * 3u + 1u
    }
    out[i] = acc
    var count = 0u
    for k in 4294967290u..4294967295u step 2 {
      count = count + k
    }
    for k in 0xfffffff0u..0xffffffffu step 7 {
      count = count + 1u
    }
    wrapped[i] = count
    var s = 0
    for k in -5..i32(i % 7u) - 3 step 2 {
      s = s * 2 + k
    }
    signed_loop[i] = s
  }
})",
                   [] { return random_input("v", 100, 23); }});

  cases.push_back({"while_caps",
                   R"(kernel while_caps workgroup(32) {
  buffer v: read u32[n]
  buffer capped: write u32[n]
  buffer collatz: write u32[n]
  buffer nested: write u32[n]
  let i = global_id.x
  if i < len(v) {
    var c = 0u
    while c < 7u max 7 {
      c = c + 1u
    }
    while false max 3 {
      c = 1000u
    }
    capped[i] = c
    var x = v[i] % 1000u + 1u
    var steps = 0u
    var rounds = 0u
    while x != 1u && rounds < 50u max 50 {
      rounds = rounds + 1u
      if x % 2u == 0u {
        x = x / 2u
        continue
      }
      x = 3u * x + 1u
      steps = steps + 1u
    }
    collatz[i] = steps * 10000u + x
    var total = 0u
    var outer = 0u
    while outer < 4u max 4 {
      outer = outer + 1u
      var inner = 0u
      while true max 6 {
        inner = inner + 1u
        if inner == outer + 2u {
          break
        }
        total = total + inner
      }
    }
    nested[i] = total * 100u + outer
  }
})",
                   [] { return random_input("v", 64, 24); },
                   {},
                   0,
                   [](const Outputs& out) {
                     for (auto c : element_values<std::uint32_t>(out, "capped")) EXPECT_EQ(c, 7u);
                   }});

  cases.push_back({"select_short_circuit",
                   R"(kernel select_short_circuit workgroup(32) {
  buffer v: read u32[n]
  buffer sel: write u32[n]
  buffer fsel: write f64[n]
  buffer counters: read_write u32[4]
  let i = global_id.x
  if i < len(v) {
    let x = v[i]
    sel[i] = select(x % 2u == 0u, x / 2u, select(x > 0x80000000u, ~x, x))
    fsel[i] = select(x % 3u == 0u, f64.nan, -0.0f64)
    if x % 2u == 0u && atomic_add(counters[0u], 1u) < 1000000u {
      atomic_add(counters[1u], 1u)
    }
    if x % 2u == 0u || atomic_add(counters[2u], 1u) > 1000000u {
      atomic_add(counters[3u], 1u)
    }
  }
})",
                   [] { return random_input("v", 200, 25); }});

  cases.push_back({"early_return",
                   R"(kernel early_return workgroup(16) {
  buffer v: read u32[n]
  buffer out: read_write u32[n]
  buffer hits: read_write u32[1]
  let i = global_id.x
  if i >= len(v) {
    return
  }
  out[i] = 1u
  if v[i] % 3u == 0u {
    return
  }
  for k in 0u..10u {
    if k == v[i] % 7u {
      out[i] = 100u + k
      return
    }
  }
  atomic_add(hits[0u], 1u)
  out[i] = 2u
})",
                   [] { return random_input("v", 90, 26); }});

  cases.push_back({"dispatch_2d_builtins",
                   R"(kernel dispatch_2d_builtins workgroup(4, 8) dispatch(w, h) {
  buffer ids: write u32[w*h]
  buffer groups: write u32[w*h]
  let x = global_id.x
  let y = global_id.y
  if x < w && y < h {
    ids[y * w + x] = (local_id.y * 16u + local_id.x) * 1000u + group_id.x * 10u + group_id.y
    groups[y * w + x] = num_groups.x * 1000u + num_groups.y * 10u + group_size.x * group_size.y
  }
})",
                   [] { return RunInputs{}; },
                   {{"w", 13}, {"h", 10}}});
  return cases;
}

}  // namespace vyre::conformance
