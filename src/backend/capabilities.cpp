#include "vyre/backend/capabilities.h"

#include <algorithm>

namespace vyre {

// An empty element_types list means "every type", except that f64 always also needs the f64
// flag: a backend cannot claim f64 storage without f64 arithmetic.
bool Capabilities::supports(ir::Type type) const {
  if (type == ir::Type::Unknown) return false;
  if (type == ir::Type::F64 && !f64) return false;
  if (element_types.empty()) return true;
  return std::find(element_types.begin(), element_types.end(), type) != element_types.end();
}

}  // namespace vyre
