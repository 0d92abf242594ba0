// Where a program's barriers are: a question some backends ask before they compile, because
// their device compilers handle a barrier inside an `if` wrongly (Capabilities::
// barriers_under_if).
#pragma once

#include "vyre/ir/ast.h"

namespace vyre::ir {

// Whether a barrier sits anywhere inside an `if` statement's branches (loops included).
bool has_barrier_under_if(const ProgramData& program);

}  // namespace vyre::ir
