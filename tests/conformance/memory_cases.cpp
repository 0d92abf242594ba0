// Memory corners: out-of-bounds (and negative) loads, stores and atomics on buffers and shared
// arrays; every atomic op under contention on one element, global and shared; bool buffers;
// a zero-sized dispatch.
#include <gtest/gtest.h>

#include <numeric>

#include "conformance.h"

namespace vyre::conformance {
namespace {

RunInputs index_inputs() {
  // In-bounds indices, then every kind of out-of-bounds one (len, len+1, huge, negative).
  std::vector<std::int64_t> idx = {0,
                                   1,
                                   7,
                                   15,
                                   16,
                                   17,
                                   -1,
                                   -16,
                                   2147483647,
                                   -2147483647 - 1,
                                   4294967295LL,
                                   4294967296LL + 3,
                                   -4294967296LL,
                                   9223372036854775807LL};
  RunInputs in;
  std::vector<std::uint32_t> src(16);
  std::iota(src.begin(), src.end(), 100u);
  in.buffers["src"] = HostBuffer::of(ir::Type::U32, src);
  in.buffers["idx"] = HostBuffer::of(ir::Type::I64, idx);
  return in;
}

}  // namespace

std::vector<Case> memory_cases() {
  std::vector<Case> cases;
  cases.push_back({"oob_loads",
                   R"(kernel oob_loads workgroup(8) {
  buffer src: read u32[16]
  buffer idx: read i64[m]
  buffer by_i32: write u32[m]
  buffer by_u32: write u32[m]
  buffer by_i64: write u32[m]
  buffer by_u64: write u32[m]
  buffer flt: write f32[m]
  let i = global_id.x
  if i < len(idx) {
    let k = idx[i]
    by_i32[i] = src[i32(k)]
    by_u32[i] = src[u32(k)]
    by_i64[i] = src[k]
    by_u64[i] = src[u64(k)]
    flt[i] = f32(src[k + 16i64]) + 1.0
  }
})",
                   index_inputs,
                   {},
                   0,
                   [](const Outputs& out) {
                     auto v = element_values<std::uint32_t>(out, "by_i64");
                     EXPECT_EQ(v[0], 100u);
                     EXPECT_EQ(v[3], 115u);
                     for (std::size_t k = 4; k < v.size(); ++k) EXPECT_EQ(v[k], 0u) << k;
                   }});

  cases.push_back({"oob_stores",
                   R"(kernel oob_stores workgroup(8) dispatch(m) {
  buffer idx: read i64[m]
  buffer out: read_write u32[16]
  buffer out_i32: read_write u32[16]
  let i = global_id.x
  if i < len(idx) {
    let k = idx[i]
    out[k] = u32(i) + 1u
    // Indices that collide after truncation to i32 meet in one element, so through an atomic
    // (a plain store from two workgroups would be a data race, VY2104).
    atomic_max(out_i32[i32(k)], u32(i32(k)) + 1u)
  }
})",
                   [] {
                     RunInputs in = index_inputs();
                     in.buffers.erase("src");
                     return in;
                   },
                   {},
                   0,
                   [](const Outputs& out) {
                     auto v = element_values<std::uint32_t>(out, "out");
                     EXPECT_EQ(v[0], 1u);
                     EXPECT_EQ(v[1], 2u);
                     EXPECT_EQ(v[2], 0u);
                     EXPECT_EQ(v[15], 4u);
                   }});

  cases.push_back({"oob_shared",
                   R"(kernel oob_shared workgroup(32) {
  buffer idx: read i32[n]
  buffer out: write u32[n]
  buffer whole: write u32[n]
  shared t: u32[32]
  let lid = local_id.x
  t[lid] = lid * 3u
  barrier()
  t[lid + 32u] = 999u
  t[i32(lid) - 32] = 999u
  barrier()
  let i = global_id.x
  out[i] = t[idx[i]]
  whole[i] = t[lid]
})",
                   [] {
                     std::vector<std::int32_t> idx;
                     for (int k = 0; k < 64; ++k) {
                       idx.push_back(k % 4 == 0 ? k % 32 : (k % 4 == 1 ? 32 + k : -k));
                     }
                     RunInputs in;
                     in.buffers["idx"] = HostBuffer::of(ir::Type::I32, idx);
                     return in;
                   },
                   {},
                   0,
                   [](const Outputs& out) {
                     auto w = element_values<std::uint32_t>(out, "whole");
                     for (std::size_t k = 0; k < w.size(); ++k) EXPECT_EQ(w[k], (k % 32) * 3) << k;
                   }});

  cases.push_back({"oob_atomics",
                   R"(kernel oob_atomics workgroup(8) dispatch(m) {
  buffer idx: read i64[m]
  buffer cells: read_write u32[16]
  buffer previous: write u32[m]
  shared s: u32[4]
  if local_id.x == 0u {
    s[0u] = 0u
  }
  barrier()
  let i = global_id.x
  if i < len(idx) {
    let k = idx[i]
    let p = atomic_add(cells[k], 5u)
    let q = atomic_exchange(cells[k + 100i64], 9u)
    let r = atomic_add(s[k], 1u)
    previous[i] = p + q + r
  }
})",
                   [] {
                     // Unique in-bounds indices, so `previous` does not depend on ordering.
                     std::vector<std::int64_t> idx = {
                         0, 1, 5, 15, 16, 17, -1, -16, 2147483647, 4294967296LL + 3, -4294967296LL};
                     RunInputs in;
                     in.buffers["idx"] = HostBuffer::of(ir::Type::I64, idx);
                     return in;
                   },
                   {},
                   0,
                   [](const Outputs& out) {
                     auto c = element_values<std::uint32_t>(out, "cells");
                     EXPECT_EQ(c[0], 5u);
                     EXPECT_EQ(c[2], 0u);
                     EXPECT_EQ(c[15], 5u);
                     auto p = element_values<std::uint32_t>(out, "previous");
                     for (std::size_t k = 4; k < p.size(); ++k) EXPECT_EQ(p[k], 0u) << k;
                   }});

  cases.push_back({"atomics_contention_u32",
                   R"(kernel atomics_contention_u32 workgroup(64) dispatch(n) {
  buffer v: read u32[n]
  buffer stats: read_write u32[8]
  buffer winners: read_write u32[2]
  buffer seen: read_write u32[n]
  let i = global_id.x
  if i < len(v) {
    let x = v[i]
    let slot = atomic_add(stats[0u], 1u)
    seen[slot] = seen[slot] + 1u
    atomic_min(stats[1u], x)
    atomic_max(stats[2u], x)
    atomic_and(stats[3u], x | 0x0f0f0000u)
    atomic_or(stats[4u], x & 0x00ff00ffu)
    atomic_xor(stats[5u], x)
    atomic_exchange(stats[6u], 42u)
    if atomic_compare_exchange(winners[0u], 0u, 1u) == 0u {
      atomic_add(winners[1u], 1u)
    }
    var old = stats[7u]
    while true max 1000000 {
      let prev = atomic_compare_exchange(stats[7u], old, old + 3u)
      if prev == old {
        break
      }
      old = prev
    }
  }
})",
                   [] {
                     RunInputs in;
                     in.buffers["v"] = HostBuffer::of(ir::Type::U32, random_u32(4096, 7));
                     std::vector<std::uint32_t> stats = {0u, 0xffffffffu, 0u, 0xffffffffu,
                                                         0u, 0u,          0u, 0u};
                     in.buffers["stats"] = HostBuffer::of(ir::Type::U32, stats);
                     return in;
                   },
                   {},
                   0,
                   [](const Outputs& out) {
                     auto s = element_values<std::uint32_t>(out, "stats");
                     EXPECT_EQ(s[0], 4096u);
                     EXPECT_EQ(s[6], 42u);
                     EXPECT_EQ(s[7], 3u * 4096u);
                     EXPECT_EQ(element_values<std::uint32_t>(out, "winners")[1], 1u);
                     for (auto seen : element_values<std::uint32_t>(out, "seen")) {
                       ASSERT_EQ(seen, 1u);
                     }
                   }});

  cases.push_back({"atomics_contention_i32",
                   R"(kernel atomics_contention_i32 workgroup(64) dispatch(n) {
  buffer v: read i32[n]
  buffer stats: read_write i32[6]
  let i = global_id.x
  if i < len(v) {
    let x = v[i]
    atomic_add(stats[0u], x)
    atomic_min(stats[1u], x)
    atomic_max(stats[2u], x)
    atomic_and(stats[3u], x | 1)
    atomic_or(stats[4u], x & 0x70000001)
    atomic_xor(stats[5u], x)
  }
})",
                   [] {
                     auto r = random_u32(3000, 11);
                     std::vector<std::int32_t> v(r.begin(), r.end());
                     RunInputs in;
                     in.buffers["v"] = HostBuffer::of(ir::Type::I32, v);
                     in.buffers["stats"] = HostBuffer::of(
                         ir::Type::I32, std::vector<std::int32_t>{0, 0, 0, -1, 0, 0});
                     return in;
                   }});

  cases.push_back({"atomics_contention_64",
                   R"(kernel atomics_contention_64 workgroup(64) dispatch(n) {
  buffer v: read u32[n]
  buffer u: read_write u64[8]
  buffer s: read_write i64[3]
  let i = global_id.x
  if i < len(v) {
    let x = u64(v[i]) << 20u64
    atomic_add(u[0u], x)
    atomic_min(u[1u], x + 1u64)
    atomic_max(u[2u], x)
    atomic_and(u[3u], ~x)
    atomic_or(u[4u], x)
    atomic_xor(u[5u], x)
    atomic_exchange(u[6u], 5u64)
    atomic_compare_exchange(u[7u], 0u64, 0xffffffff00000000u64)
    let y = i64(x) - 4000000000000i64
    atomic_add(s[0u], y)
    atomic_min(s[1u], y)
    atomic_max(s[2u], y)
  }
})",
                   [] {
                     RunInputs in;
                     in.buffers["v"] = HostBuffer::of(ir::Type::U32, random_u32(2048, 5));
                     in.buffers["u"] = HostBuffer::of(
                         ir::Type::U64, std::vector<std::uint64_t>{0, ~0ull, 0, ~0ull, 0, 0, 0, 0});
                     return in;
                   }});

  cases.push_back({"atomics_shared",
                   R"(kernel atomics_shared workgroup(128) {
  buffer v: read u32[n]
  buffer out: write u32[n]
  buffer slots: write u32[n]
  shared s: u32[8]
  let lid = local_id.x
  if lid < 8u {
    s[lid] = select(lid == 1u || lid == 3u, 0xffffffffu, 0u)
  }
  barrier()
  let x = v[global_id.x]
  let slot = atomic_add(s[0u], 1u)
  atomic_min(s[1u], x)
  atomic_max(s[2u], x)
  atomic_and(s[3u], x | 0xff00ff00u)
  atomic_or(s[4u], x & 0x0000f00fu)
  atomic_xor(s[5u], x)
  atomic_exchange(s[6u], group_id.x)
  atomic_compare_exchange(s[7u], 0u, lid + 1u)
  barrier()
  slots[global_id.x] = u32(slot < 128u)
  if lid < 8u {
    out[group_id.x * 8u + lid] = select(lid == 7u, u32(s[7u] != 0u), s[lid])
  }
})",
                   [] {
                     RunInputs in;
                     in.buffers["v"] = HostBuffer::of(ir::Type::U32, random_u32(1024, 3));
                     return in;
                   }});

  cases.push_back({"bool_buffers",
                   R"(kernel bool_buffers workgroup(16) {
  buffer a: read bool[n]
  buffer b: read bool[n]
  buffer r_not: write bool[n]
  buffer r_and: write bool[n]
  buffer r_or: write bool[n]
  buffer r_xor: write bool[n]
  buffer r_eq: write bool[n]
  buffer r_bits: write u32[n]
  buffer r_state: read_write bool[n]
  let i = global_id.x
  if i < len(a) {
    let x = a[i]
    let y = b[i]
    r_not[i] = !x
    r_and[i] = x && y
    r_or[i] = x || y
    r_xor[i] = (x ^ y) | (x & false)
    r_eq[i] = x == y
    r_bits[i] = u32(x) * 2u + u32(y) + u32(a[i + 1000u])
    r_state[i] = !r_state[i] != y
  }
})",
                   [] {
                     std::vector<std::uint8_t> a, b, s;
                     for (int k = 0; k < 37; ++k) {
                       a.push_back(k & 1);
                       b.push_back((k >> 1) & 1);
                       s.push_back((k % 3) == 0);
                     }
                     RunInputs in;
                     in.buffers["a"] = HostBuffer(ir::Type::Bool, a);
                     in.buffers["b"] = HostBuffer(ir::Type::Bool, b);
                     in.buffers["r_state"] = HostBuffer(ir::Type::Bool, s);
                     return in;
                   }});

  cases.push_back(
      {"zero_dispatch",
       R"(kernel zero_dispatch workgroup(64) {
  buffer a: read u32[n]
  buffer out: write u32[n]
  buffer counter: read_write u32[1] binding(5)
  let i = global_id.x
  atomic_add(counter[0u], 1u)
  out[i] = a[i] + 1u
})",
       [] {
         RunInputs in;
         in.buffers["a"] = HostBuffer(ir::Type::U32, std::size_t{0});
         in.buffers["counter"] = HostBuffer::of(ir::Type::U32, std::vector<std::uint32_t>{7u});
         return in;
       },
       {},
       0,
       [](const Outputs& out) {
         EXPECT_EQ(out.at("out").count(), 0u);
         EXPECT_EQ(element_values<std::uint32_t>(out, "counter"), std::vector<std::uint32_t>{7u});
       }});
  return cases;
}

}  // namespace vyre::conformance
