// Program's memoised digest. check() (check.cpp) is the only way to create a Program.
#include "vyre/ir/program.h"

#include "vyre/ir/encoding.h"

namespace vyre::ir {

// Double-checked: once computed, an acquire load; the mutex only while computing. Not
// std::call_once, which goes through pthread_once and libstdc++'s thread-local callable: code
// that a fresh process's first cache lookup would fault into its caches for nothing.
const Digest& Program::digest() const {
  if (!cell_->digest_ready.load(std::memory_order_acquire)) {
    std::lock_guard lock(cell_->digest_mutex);
    if (!cell_->digest_ready.load(std::memory_order_relaxed)) {
      cell_->digest = compute_program_digest(*this);
      cell_->digest_ready.store(true, std::memory_order_release);
    }
  }
  return cell_->digest;
}

}  // namespace vyre::ir
