#include "vyre/pipeline/jit_policy.h"

#include <cctype>
#include <string>

#include "vyre/diag/codes.h"

namespace vyre::pipeline {

std::string_view jit_policy_name(JitPolicy policy) {
  switch (policy) {
    case JitPolicy::Allow:
      return "allow";
    case JitPolicy::Warn:
      return "warn";
    case JitPolicy::Forbid:
      return "forbid";
  }
  return "allow";
}

Result<JitPolicy> parse_jit_policy(std::string_view text, std::string_view origin) {
  std::string lower;
  for (char c : text) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (JitPolicy policy : {JitPolicy::Allow, JitPolicy::Warn, JitPolicy::Forbid}) {
    if (lower == jit_policy_name(policy)) return policy;
  }
  return Diagnostic::error(
      code::BadCacheSetting,
      std::string(origin) + "=\"" + std::string(text) + "\" is not a JIT policy",
      "set " + std::string(origin) + " to allow, warn or forbid");
}

}  // namespace vyre::pipeline
