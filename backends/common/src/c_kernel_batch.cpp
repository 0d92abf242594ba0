// emit_c_kernel_batch(): many kernels, one prelude. Helper definitions are merged by their text
// in first-use order, which keeps each after the helpers it calls (every kernel's own list has
// that order, and a helper already emitted for an earlier kernel only moves earlier).
#include "vyre/backends/c_kernel_batch.h"

#include <unordered_set>

#include <fmt/format.h>

#include "prelude.h"

namespace vyre::codegen {

std::string batch_entry_name(const ir::Program& program) {
  return "vyre_" + to_hex(program.digest());
}

bool is_program_entry(std::string_view entry, const ir::Program& program) {
  return entry == kSingleEntry || entry == batch_entry_name(program);
}

std::string emit_c_kernel_batch(std::span<const KernelParts> kernels) {
  const Dialect dialect = kernels.empty() ? Dialect::OpenCL : kernels.front().dialect;
  bool f64 = false;
  bool int64_atomics = false;
  std::vector<std::string> helpers;
  std::unordered_set<std::string_view> seen;
  for (const KernelParts& k : kernels) {
    f64 = f64 || k.f64;
    int64_atomics = int64_atomics || k.int64_atomics;
    for (const std::string& helper : k.helpers) {
      if (seen.insert(helper).second) helpers.push_back(helper);
    }
  }
  std::string out =
      fmt::format("// {} vyre kernels in one translation unit, generated {} source. Do not edit.\n",
                  kernels.size(), dialect == Dialect::Cuda ? "CUDA C" : "OpenCL C 1.2");
  out += detail::build_note(dialect);
  out += "\n";
  out += detail::prelude(dialect, f64, int64_atomics, helpers);
  for (const KernelParts& k : kernels) {
    out += k.summary;
    out += k.kernel;
    out += "\n";
  }
  return out;
}

}  // namespace vyre::codegen
