// DispatchConfig: how to run a program. Only the fields marked "policy" change generated code;
// those (and only those) enter the pipeline cache key through policy_fields().
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace vyre {

struct DispatchConfig {
  // policy: replaces the program's workgroup size (compiled into the kernel).
  std::optional<std::array<std::uint32_t, 3>> workgroup_override;
  // Workgroups to launch per dimension, instead of the grid derived from the program.
  std::optional<std::array<std::uint64_t, 3>> grid_override;
  // policy: ULP error allowed for inexact ops (transcendentals); 0 asks for correctly rounded
  // results wherever the backend can give them. Backends may choose faster lowerings for
  // larger budgets.
  std::uint32_t ulp_budget = 4;
  // Refuse a dispatch whose outputs would exceed this many bytes (0 = no limit).
  std::uint64_t max_output_bytes = 0;
  // Give up waiting for a dispatch after this long (0 = wait forever).
  std::chrono::milliseconds timeout{0};
  std::string label;  // carried into diagnostics and metrics
  // Backends the runtime may choose from (empty = any) and the order to prefer them in.
  std::vector<std::string> allowed_backends;
  std::vector<std::string> preferred_backends;
  // Size symbols bound explicitly ("n" -> 1000000); others are inferred from input lengths.
  std::map<std::string, std::uint64_t> sizes;
  // Shadow checking (not policy: it never changes generated code). This fraction of the
  // runtime's dispatches on a backend other than "reference" is re-run on the reference backend
  // with the same inputs and compared; a difference fails the run with ShadowMismatch (VY4023).
  // Sampling is deterministic per Runtime: its k-th dispatch (k = 0, 1, ...) is checked when
  // floor((k + 1) * f) > floor(k * f), so exactly floor(N * f) of the first N are, evenly
  // spaced; 0 checks none, 1 (or more) checks all.
  double shadow_fraction = 0;

  // The policy fields as (name, value) pairs, in a fixed order. The cache key hashes these and
  // the miss explanation names the ones that differ ("ulp_budget 1 -> 4").
  std::vector<std::pair<std::string, std::string>> policy_fields() const;
};

}  // namespace vyre
