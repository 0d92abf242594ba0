// The argument the batch APIs take (PipelineCache::obtain_many, Runtime::precompile,
// Backend::compile_many): pointers to programs a test keeps in a vector.
#pragma once

#include <vector>

#include "vyre/ir/program.h"

namespace vyre::testing {

inline std::vector<const ir::Program*> program_pointers(const std::vector<ir::Program>& programs) {
  std::vector<const ir::Program*> out;
  out.reserve(programs.size());
  for (const ir::Program& p : programs) out.push_back(&p);
  return out;
}

}  // namespace vyre::testing
