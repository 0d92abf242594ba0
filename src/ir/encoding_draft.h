// The encoder and decoder below the Program level: encode any ProgramData (checked or not) and
// decode to a draft without checking it. For tests, fuzzing and tools inside vyre; the public
// entry points are in vyre/ir/encoding.h.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "vyre/diag/result.h"
#include "vyre/ir/ast.h"
#include "vyre/ir/encoding.h"

namespace vyre::ir {

// Normalised mode reads the refs, size_symbols and local tables check() fills in, so it is only
// meaningful for a checked program's data.
std::vector<std::uint8_t> encode_program_data(const ProgramData& program, EncodingMode mode);

// Decodes either mode into a draft (names as the builder would write them; nothing resolved).
Result<ProgramData> decode_program_data(std::span<const std::uint8_t> bytes);

}  // namespace vyre::ir
