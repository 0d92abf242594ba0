// What a kernel asks of whoever runs it: its params, buffers (access, type, count, shape) and
// size symbols, each symbol with the inputs that can give it. `vyre check` prints this; it is
// what `vyre run` will ask for.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "vyre/ir/program.h"

namespace vyre::cli {

struct SizeSource {
  std::string symbol;
  std::vector<std::string> from_length;  // read buffers whose length gives it (count c*symbol)
  std::vector<std::string> from_shape;   // read buffers whose n-d shape gives it (count m*k)
};

std::vector<SizeSource> size_sources(const ir::Program& program);

// The interface as lines for people, indented by two spaces, and as JSON.
std::string interface_text(const ir::Program& program);
nlohmann::json interface_json(const ir::Program& program);

}  // namespace vyre::cli
