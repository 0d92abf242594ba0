// Kernels built with the C++ builder, shared by the builder, encoding and digest tests. Each
// sample takes a Knobs value so the digest tests can rename everything or change one thing.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "vyre/ir/builder.h"

namespace vyre::ir::samples {

using namespace vyre::ir::dsl;

// One field per thing the digest must (or must not) depend on.
struct Knobs {
  std::string suffix;  // appended to every name: kernel, params, buffers, shared, sizes, locals
  Type element = Type::F32;
  std::uint64_t shared_count = 64;
  std::uint32_t out_binding = 1;
  Access in_access = Access::Read;
  std::uint32_t workgroup_x = 64;
  std::int32_t literal = 3;
  BinaryOp combine = BinaryOp::Add;
  bool swap_statements = false;
  std::uint64_t step = 1;
  std::uint64_t cap = 100;
  std::uint64_t count_factor = 1;  // the input buffer holds count_factor * n elements
};

inline Program checked(const KernelBuilder& k) {
  Result<Program> p = k.finish();
  if (!p.ok())
    ADD_FAILURE() << p.error().code << ": " << p.error().message << " at " << p.error().path;
  return std::move(p).value();
}

inline Program saxpy(const std::string& suffix = "") {
  KernelBuilder k("saxpy" + suffix, {256});
  auto a = k.param("a" + suffix, Type::F32);
  auto x = k.buffer("x" + suffix, Access::Read, Type::F32, "n" + suffix);
  auto y = k.buffer("y" + suffix, Access::ReadWrite, Type::F32, "n" + suffix);
  auto i = k.let("i" + suffix, global_id_x());
  k.if_(i < len(y), [&] { k.store(y, i, a * x[i] + y[i]); });
  return checked(k);
}

// Tiled reduction: shared memory, barriers, a strided for loop, an atomic.
inline Program tiled_sum(const Knobs& o = {}) {
  const std::string& s = o.suffix;
  KernelBuilder k("tiled_sum" + s, {o.workgroup_x});
  auto in = k.buffer("in" + s, o.in_access, o.element, SizeExpr{o.count_factor, {"n" + s}});
  auto out = k.buffer("out" + s, Access::ReadWrite, Type::U32, 1, o.out_binding);
  auto tile = k.shared("tile" + s, o.element, o.shared_count);
  auto scale = k.param("scale" + s, o.element);
  auto lid = k.let("lid" + s, local_id_x());
  auto gid = k.let("gid" + s, global_id_x());
  auto acc = k.var("acc" + s, cast(o.element, 0));
  auto first = [&] {
    k.for_("j" + s, gid, len(in), o.step,
           [&](Value j) { k.assign(acc, binary(o.combine, acc, in[j] * scale)); });
  };
  auto second = [&] { k.store(tile, lid % len(tile), acc); };
  if (o.swap_statements) {
    second();
    first();
  } else {
    first();
    second();
  }
  k.barrier();
  auto rounds = k.var("rounds" + s, lit_u32(0));
  k.while_(rounds < lit_u32(static_cast<std::uint32_t>(o.literal)), o.cap, [&] {
    k.assign(rounds, rounds + 1u);
    k.barrier();
  });
  k.if_(lid == 0u,
        [&] { k.eval(atomic_add(out, 0u, cast(Type::U32, tile[0u]) + k.size("n" + s))); });
  return checked(k);
}

// buffer[i] when i is in range, else 0.
inline Value x_or(const Memory& buffer, const Value& i) {
  return select(i < len(buffer), buffer[i], 0.0f);
}

// Every statement kind, every expression kind, every operator, builtin, literal type and atomic.
inline Program everything(const std::string& suffix = "") {
  const std::string& s = suffix;
  KernelBuilder k("everything" + s, {8, 4, 2});
  k.dispatch({"n" + s, SizeExpr{2, {"m" + s}}, 4});
  auto pf = k.param("pf" + s, Type::F32);
  auto pd = k.param("pd" + s, Type::F64);
  auto pi = k.param("pi" + s, Type::I32);
  auto pl = k.param("pl" + s, Type::I64);
  auto pu = k.param("pu" + s, Type::U64);
  auto pb = k.param("pb" + s, Type::Bool);
  auto fin = k.buffer("fin" + s, Access::Read, Type::F32, "n" + s);
  auto ints = k.buffer("ints" + s, Access::ReadWrite, Type::I32, SizeExpr{4, {"n" + s, "m" + s}});
  auto words = k.buffer("words" + s, Access::ReadWrite, Type::U64, 1024, 7);
  auto flags = k.buffer("flags" + s, Access::Write, Type::Bool, "m" + s);
  auto sh = k.shared("sh" + s, Type::U32, 32);
  auto gx = k.let("gx" + s, global_id_x());
  auto ids = k.let("ids" + s, global_id_y() + global_id_z() + local_id_x() + local_id_y() +
                                  local_id_z() + group_id_x() + group_id_y() + group_id_z());
  auto grid = k.let("grid" + s, num_groups_x() * num_groups_y() * num_groups_z() * group_size_x() *
                                    group_size_y() * group_size_z());
  auto sizes = k.let("sizes" + s, k.size("n" + s) + k.size("m" + s) + len(fin) + len(sh));
  k.let("lits" + s, Type::Bool,
        lit_bool(true) && lit_i32(-7) < lit_i32(2147483647) && lit_u32(4000000000u) > 1u &&
            lit_i64(-9000000000LL) != lit_i64(1) && lit_u64(18000000000000000000ull) >= 0ull &&
            lit_f32(-1.5f) <= lit_f32(2.25f) && lit_f64(-0.0) == 0.5 && true);
  auto f = k.var("f" + s, lit_float(0.25));
  k.assign(f, (f + pf - x_or(fin, gx)) * pf / 2.0);
  auto d = k.let("d" + s, cast(Type::F64, f) * pd + 1.0);
  auto n = k.var("n_i" + s, pi);
  k.assign(n, ((n % 7) & (n | 3)) ^ (n << 2) ^ (n >> 1) ^ ~n ^ (-n + lit_int(-5)));
  k.let("wide" + s, pl * 3 + cast(Type::I64, n));
  k.let("logic" + s, !(pb || gx == 0u) && select(pb, pi, n) > 0);
  k.let("math" + s, sqrt(pf) + exp(pf) + exp2(pf) + log(pf) + log2(pf) + sin(pf) + cos(pf) +
                        tan(pf) + pow(pf, 2.0) + fma(pf, pf, 1.0) + floor(pf) + ceil(pf) +
                        trunc(pf) + round(pf) + abs(pf) + min(pf, 1.0) + max(pf, 0.0) +
                        clamp(pf, 0.0, 1.0) + call("sqrt", pf));
  k.let("bits" + s, popcount(gx) + clz(gx) + ctz(gx) + cast(Type::U32, d > 0.0));
  k.if_(pb && pi > 100, [&] { k.return_(); });  // uniform, so later barriers stay legal
  k.if_(gx < 4u, [&] { k.store(sh, gx, gx); })
      .else_if(gx < 8u, [&] { k.store(sh, gx & 31u, ids); })
      .else_([&] { k.store(sh, gx & 31u, grid + sizes); });
  k.barrier();
  k.for_("r" + s, 0u, 10u, 3, [&](Value r) {
    k.if_(r == 3u, [&] { k.continue_(); });
    k.if_(
        r > 6u, [&] { k.break_(); }, [&] { k.store(flags, r, pb); });
  });
  auto w = k.var("w" + s, 0);
  k.while_(w < 5, 16, [&] {
    k.assign(w, w + 1);
    k.if_(w == 4, [&] { k.break_(); });
  });
  k.eval(atomic_add(ints, gx, 1));
  k.eval(atomic_min(ints, gx, n));
  k.eval(atomic_max(ints, gx, n));
  k.eval(atomic_and(ints, gx, 255));
  k.eval(atomic_or(ints, gx, 1));
  k.eval(atomic_xor(ints, gx, 2));
  k.let("old" + s, atomic_exchange(words, gx, pu) + atomic_compare_exchange(words, 0u, 0ull, pu));
  k.eval(atomic_add(sh, 0u, 1u));
  k.store(ints, gx, cast(Type::I32, fin[gx]) * pi);
  k.store(words, gx % len(words), pu + cast(Type::U64, gx));
  return checked(k);
}

// A 2D kernel with size products and a non-default size symbol order.
inline Program matmul(const std::string& suffix = "") {
  const std::string& s = suffix;
  KernelBuilder k("matmul" + s, {16, 16});
  auto a = k.buffer("a" + s, Access::Read, Type::F32, SizeExpr{1, {"m" + s, "k" + s}});
  auto b = k.buffer("b" + s, Access::Read, Type::F32, SizeExpr{1, {"k" + s, "n" + s}});
  auto c = k.buffer("c" + s, Access::Write, Type::F32, SizeExpr{1, {"m" + s, "n" + s}});
  k.dispatch({"n" + s, "m" + s});
  auto col = k.let("col" + s, global_id_x());
  auto row = k.let("row" + s, global_id_y());
  k.if_(row < k.size("m" + s) && col < k.size("n" + s), [&] {
    auto sum = k.var("sum" + s, 0.0f);
    k.for_("t" + s, 0u, k.size("k" + s), [&](Value t) {
      k.assign(sum, fma(a[row * k.size("k" + s) + t], b[t * k.size("n" + s) + col], sum));
    });
    k.store(c, row * k.size("n" + s) + col, sum);
  });
  return checked(k);
}

inline std::vector<Program> all_samples() {
  std::vector<Program> out;
  out.push_back(saxpy());
  out.push_back(tiled_sum());
  out.push_back(everything());
  out.push_back(matmul());
  Knobs wide;
  wide.element = Type::I64;
  wide.step = 4;
  out.push_back(tiled_sum(wide));
  return out;
}

}  // namespace vyre::ir::samples
