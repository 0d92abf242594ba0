// The diagnostic code catalogue. Every code vyre emits is declared once, in codes.def, with a
// title and a one-paragraph explanation (`vyre explain CODE` prints it).
#pragma once

#include <span>
#include <string_view>

namespace vyre {

namespace code {
#define VYRE_DIAG(name, id, title, explanation) inline constexpr std::string_view name = id;
#include "vyre/diag/codes.def"
#undef VYRE_DIAG
}  // namespace code

struct CodeInfo {
  std::string_view id;           // "VY2003"
  std::string_view name;         // "StoreToReadOnly"
  std::string_view title;        // one line
  std::string_view explanation;  // one paragraph
  // For a retired code: the id now reported in its place (`vyre explain` says so); else empty.
  std::string_view replaced_by{};
};

// vyre's own codes. Backend modules add theirs (vyre/registry/module_catalogue.h).
std::span<const CodeInfo> diagnostic_catalogue();
// The catalogue entry for an id such as "VY2003" (case-insensitive), or nullptr.
const CodeInfo* find_code(std::string_view id);

}  // namespace vyre
