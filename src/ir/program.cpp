// Program's memoised digest. check() (check.cpp) is the only way to create a Program.
#include "vyre/ir/program.h"

#include "vyre/ir/encoding.h"

namespace vyre::ir {

const Digest& Program::digest() const {
  std::call_once(cell_->digest_once, [this] { cell_->digest = compute_program_digest(*this); });
  return cell_->digest;
}

}  // namespace vyre::ir
