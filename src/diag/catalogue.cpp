#include <algorithm>
#include <array>
#include <cctype>

#include "vyre/diag/codes.h"

namespace vyre {
namespace {

constexpr std::array kCatalogue = {
#define VYRE_DIAG(name, id, title, explanation) CodeInfo{id, #name, title, explanation},
#include "vyre/diag/codes.def"
#undef VYRE_DIAG
};

bool same_id(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::toupper(static_cast<unsigned char>(x)) ==
                  std::toupper(static_cast<unsigned char>(y));
         });
}

}  // namespace

std::span<const CodeInfo> diagnostic_catalogue() {
  return kCatalogue;
}

const CodeInfo* find_code(std::string_view id) {
  for (const CodeInfo& info : kCatalogue) {
    if (same_id(info.id, id)) return &info;
  }
  return nullptr;
}

}  // namespace vyre
