#include "vyre/backend/fingerprint.h"

namespace vyre {

std::string DeviceFingerprint::describe() const {
  auto or_unknown = [](const std::string& s) { return s.empty() ? std::string("?") : s; };
  return or_unknown(vendor) + " / " + or_unknown(device) + " (driver " + or_unknown(driver) +
         ", compiler " + or_unknown(compiler) + ")";
}

}  // namespace vyre
