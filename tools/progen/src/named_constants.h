// The generator's named constants (docs/IR.md section 5): a pass over a finished draft that
// declares a few typed consts and spells some of the draft's literals as their names. A const is
// a literal to check() and to the encoding, so the program, its digest and its outputs are
// unchanged; what changes is that the checker's const resolution and the printer's const
// declarations meet random contexts. It draws from its own random stream, so the rest of the
// program (and every seed's program) is the same with it or without.
#pragma once

#include <cstdint>

#include "vyre/ir/program.h"

namespace vyre::progen {

// Declares up to three consts K0, K1, K2 and uses them for some typed literals.
void name_constants(ir::ProgramData& draft, std::uint64_t seed);

}  // namespace vyre::progen
