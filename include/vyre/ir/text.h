// The text format (docs/IR.md): a hand-written parser that reports line:column, and a printer
// whose output parses back to an equal program.
#pragma once

#include <string>
#include <string_view>

#include "vyre/diag/result.h"
#include "vyre/ir/program.h"

namespace vyre::ir {

// Parses and checks one kernel. Syntax errors and check errors both point at line:column.
Result<Program> parse_program(std::string_view text, const CheckOptions& options = {});

// Parses without checking (names unresolved, types partly unknown); for tools and tests.
Result<ProgramData> parse_unchecked(std::string_view text, std::string_view file = {});

// Canonical text: print(parse(text)) is stable and parse(print(p)) == p.
std::string print_program(const Program& program);
std::string print_program(const ProgramData& program);

}  // namespace vyre::ir
