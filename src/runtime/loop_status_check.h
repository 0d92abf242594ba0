// After a dispatch: whether a while loop reached its cap (vyre/ir/loop_status.h), read from the
// program's loop status buffer in the dispatch's bindings.
#pragma once

#include "vyre/backend/backend.h"
#include "vyre/diag/result.h"
#include "vyre/ir/program.h"

namespace vyre {

// LoopCapReached naming the loop when the status buffer holds a loop id; Ok otherwise (and for
// a program without while loops).
Status check_loop_status(const ir::Program& program, const Bindings& bindings);

}  // namespace vyre
