#include "vyre/backend/dispatch_config.h"

#include <string>

namespace vyre {

// Values are stable strings: they are hashed into pipeline cache keys, so their spelling must
// never change ("none", "16x16x1", "4").
std::vector<std::pair<std::string, std::string>> DispatchConfig::policy_fields() const {
  std::string workgroup = "none";
  if (workgroup_override) {
    const auto& w = *workgroup_override;
    workgroup = std::to_string(w[0]) + "x" + std::to_string(w[1]) + "x" + std::to_string(w[2]);
  }
  return {{"workgroup_override", std::move(workgroup)}, {"ulp_budget", std::to_string(ulp_budget)}};
}

}  // namespace vyre
