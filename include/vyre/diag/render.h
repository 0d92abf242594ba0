// Rendering diagnostics for people (source line and caret, like a compiler) and for tools (JSON).
#pragma once

#include <string>
#include <string_view>

#include "vyre/diag/diagnostic.h"

namespace vyre {

struct RenderOptions {
  std::string_view source;  // the text the locations point into; empty when none
  bool color = false;
};

// "error[VY2005]: store to read-only buffer `x`\n --> saxpy.vy:5:3\n  |\n5 | ...\n  |   ^\nhelp:
// ..." Renders the diagnostic and everything in its `more` list.
std::string render_human(const Diagnostic& diagnostic, const RenderOptions& options = {});

// One JSON object per diagnostic (with "more" flattened into a JSON array by the caller's
// choice): {"code","severity","message","help","file","line","column","path","notes":[...]}.
std::string render_json(const Diagnostic& diagnostic);
// A JSON array of the diagnostic and everything in its `more` list.
std::string render_json_array(const Diagnostic& diagnostic);

}  // namespace vyre
