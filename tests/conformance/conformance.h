// The conformance suite: small kernels aimed at the corners of the IR's semantics (docs/IR.md
// section 8), each run on every registered backend and compared with the reference backend.
// A case is its text, a function making its inputs deterministically, and optionally checks of
// values the spec fixes (so the oracle itself is held to the spec, not only the backends to it).
#pragma once

#include <fmt/format.h>

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "vyre/backend/host_buffer.h"
#include "vyre/runtime/inputs.h"

namespace vyre::conformance {

using Outputs = std::map<std::string, HostBuffer>;

struct Case {
  std::string name;
  std::string source;
  std::function<RunInputs()> inputs = [] { return RunInputs{}; };
  std::map<std::string, std::uint64_t> sizes;  // explicit size symbols, if any
  std::uint64_t ulp = 0;                       // float tolerance (transcendental cases only)
  // Spec checks on the outputs (EXPECT_* inside); run on every backend's outputs.
  std::function<void(const Outputs&)> expect;
};

std::vector<Case> integer_cases();
std::vector<Case> float_cases();
std::vector<Case> memory_cases();
std::vector<Case> control_cases();

// ---- deterministic inputs ----
template <class T>
HostBuffer buffer_of(ir::Type type, const std::vector<T>& values) {
  return HostBuffer::of(type, values);
}
// Every ordered pair (a[i], b[i]) of `values`: a = v0 v0 v0 .. v1 .., b = v0 v1 v2 .. v0 ..
template <class T>
std::pair<std::vector<T>, std::vector<T>> all_pairs(const std::vector<T>& values) {
  std::pair<std::vector<T>, std::vector<T>> out;
  for (const T& x : values) {
    for (const T& y : values) {
      out.first.push_back(x);
      out.second.push_back(y);
    }
  }
  return out;
}

// A kernel over all ordered pairs of edge values: `x = a[i]`, `y = b[i]`, and one output
// buffer of type `out_type` per (name, expression) in `exprs`.
inline std::string pair_kernel(const std::string& name, const std::string& type,
                               const std::vector<std::pair<std::string, std::string>>& exprs,
                               const std::string& out_type = "") {
  std::string src =
      fmt::format("kernel {} workgroup(64) {{\n  buffer a: read {}[n]\n  buffer b: read {}[n]\n",
                  name, type, type);
  for (const auto& [out, expr] : exprs) {
    src += fmt::format("  buffer {}: write {}[n]\n", out, out_type.empty() ? type : out_type);
  }
  src += "  let i = global_id.x\n  if i < len(a) {\n    let x = a[i]\n    let y = b[i]\n";
  for (const auto& [out, expr] : exprs) src += fmt::format("    {}[i] = {}\n", out, expr);
  src += "  }\n}\n";
  return src;
}

template <class T>
std::function<RunInputs()> pair_inputs(ir::Type type, std::vector<T> values) {
  return [type, values] {
    auto [a, b] = all_pairs(values);
    RunInputs in;
    in.buffers["a"] = HostBuffer::of(type, a);
    in.buffers["b"] = HostBuffer::of(type, b);
    return in;
  };
}

std::vector<std::int32_t> edge_i32();
std::vector<std::uint32_t> edge_u32();
std::vector<std::int64_t> edge_i64();
std::vector<std::uint64_t> edge_u64();
std::vector<float> edge_f32();
std::vector<double> edge_f64();
// Pseudo-random values from a fixed seed (a splitmix64 stream, identical on every platform).
std::vector<std::uint32_t> random_u32(std::size_t count, std::uint64_t seed);

template <class T>
std::vector<T> element_values(const Outputs& outputs, const std::string& name) {
  return outputs.at(name).to_vector<T>();
}

}  // namespace vyre::conformance
