// The conformance suite: small kernels aimed at the corners of the IR's semantics (docs/IR.md
// section 8), each run on every registered backend and compared with the reference backend.
// A case is its text, a function making its inputs deterministically, and optionally checks of
// values the spec fixes (so the oracle itself is held to the spec, not only the backends to it).
#pragma once

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
