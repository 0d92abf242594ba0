// Barrier uniformity: a barrier must be reached by every invocation of a workgroup, so it may
// not sit where control flow depends on per-invocation values.
#pragma once

#include <string>
#include <vector>

#include "vyre/diag/diagnostic.h"
#include "vyre/ir/ast.h"

namespace vyre::ir {

// Appends a VY2008 diagnostic for each barrier under divergent control flow. Expects a program
// whose names are resolved (refs set), as check() leaves it.
void check_barrier_uniformity(const ProgramData& program, const std::string& file,
                              std::vector<Diagnostic>& out);

}  // namespace vyre::ir
