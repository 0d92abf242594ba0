// What a backend's device can do: launch limits, memory limits, types and features. Routing
// and launch validation read these; `vyre backends` prints them.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "vyre/ir/types.h"

namespace vyre {

struct Capabilities {
  std::array<std::uint32_t, 3> max_workgroup_size{1024, 1024, 64};
  std::uint32_t max_workgroup_invocations = 1024;
  std::array<std::uint64_t, 3> max_groups{UINT32_MAX, 65535, 65535};  // workgroups per dimension
  // Workgroups of one dispatch in total (x * y * z): the bound of every backend today, whose
  // group ids and counts are 32-bit (PoCL aborts on more).
  std::uint64_t max_total_groups = UINT32_MAX;
  std::uint64_t max_shared_bytes = 49152;
  std::uint64_t max_buffer_bytes = UINT64_MAX;
  std::vector<ir::Type> element_types;  // types the device stores and computes with
  bool atomics32 = true;
  bool atomics64 = false;
  bool f64 = false;
  std::uint32_t subgroup_size = 1;
  // A barrier inside an `if` (under a uniform condition, as validation requires) compiles
  // correctly. PoCL's compiler does not: its kernels then store past their bounds checks.
  bool barriers_under_if = true;
  std::vector<std::string> features;  // free-form flags, e.g. "cl_khr_int64_base_atomics"

  bool supports(ir::Type type) const;
};

}  // namespace vyre
