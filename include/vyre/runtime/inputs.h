// Turning named host data into a dispatch's Bindings: size symbols are resolved, every input is
// checked against the program's declarations, and outputs are allocated.
//
// Rules (docs/RUNTIME.md):
//  - Buffers and params are given by name. Every `read` buffer and every param must be given;
//    a `read_write` buffer that is not given starts zeroed; a `write` buffer that is not given
//    is allocated zeroed (one that is given provides its initial contents).
//  - A size symbol takes its value from DispatchConfig::sizes first; otherwise from an input
//    buffer whose count is that symbol times a constant (len / constant). Counts that are a
//    product of symbols (m*k) never infer; such symbols must be bound explicitly.
//  - Element types must match exactly; lengths must equal the declared count.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "vyre/backend/backend.h"
#include "vyre/diag/result.h"
#include "vyre/ir/program.h"

namespace vyre {

struct RunInputs {
  std::map<std::string, HostBuffer> buffers;
  std::map<std::string, Scalar> params;
};

// The size symbols determinable from `explicit_sizes` and the given buffers (possibly not all
// of them). Fails only on contradictions (InconsistentSize, InputSizeMismatch) and explicit
// sizes naming no symbol of the program (UnknownInput).
Result<std::map<std::string, std::uint64_t>> infer_sizes(
    const ir::Program& program, const std::map<std::string, HostBuffer>& buffers,
    const std::map<std::string, std::uint64_t>& explicit_sizes);
// The same from element counts by buffer name (device buffers, whose bytes stay where they are).
Result<std::map<std::string, std::uint64_t>> infer_sizes(
    const ir::Program& program, const std::map<std::string, std::uint64_t>& buffer_counts,
    const std::map<std::string, std::uint64_t>& explicit_sizes);

// The element count `size` denotes under `sizes`; UnresolvedSize if a symbol is missing,
// SizeOverflow if the product does not fit 64 bits.
Result<std::uint64_t> element_count(const ir::SizeExpr& size,
                                    const std::map<std::string, std::uint64_t>& sizes,
                                    std::string_view what);

// Validates `inputs` against the program and builds the Bindings (declaration order), with the
// resolved sizes by symbol index.
Result<Bindings> bind_inputs(const ir::Program& program, RunInputs inputs,
                             const DispatchConfig& config);

}  // namespace vyre
