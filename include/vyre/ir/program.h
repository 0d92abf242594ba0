// Program: a checked, immutable kernel, cheap to copy and share between threads. Every Program
// that exists has passed check(): names are resolved, every expression is typed, and the
// structural rules of docs/IR.md hold. Its canonical digest is computed once, by check(), while
// the program's nodes are still in the CPU's caches: a fresh process's first cache lookup would
// otherwise walk them cold (docs/PERFORMANCE.md).
#pragma once

#include <memory>
#include <string_view>

#include "vyre/diag/result.h"
#include "vyre/ir/ast.h"
#include "vyre/ir/hash.h"

namespace vyre::ir {

struct CheckOptions {
  // Shared-memory bytes a kernel may declare; backends check their own limit again at dispatch.
  std::uint64_t max_shared_bytes = 49152;
  // Source file name put into diagnostics.
  std::string file;
};

class Program {
 public:
  // Implementation detail, public only so check() can build one.
  struct Cell {
    ProgramData data;
    Digest digest{};  // of `data`, set by check()
  };

  const ProgramData& data() const { return cell_->data; }
  const ProgramData* operator->() const { return &cell_->data; }
  const ProgramData& operator*() const { return cell_->data; }

  // BLAKE3 of the canonical encoding with names normalised away (see encoding.h).
  const Digest& digest() const { return cell_->digest; }

  // Structural equality (names included), see ast.h.
  friend bool operator==(const Program& a, const Program& b) {
    return a.cell_ == b.cell_ || a.cell_->data == b.cell_->data;
  }

 private:
  friend Result<Program> check(ProgramData draft, const CheckOptions& options);
  explicit Program(std::shared_ptr<const Cell> cell) : cell_(std::move(cell)) {}
  std::shared_ptr<const Cell> cell_;
};

// Resolves names, infers types and enforces every structural rule; all failures come back as
// one Diagnostic whose `more` holds the rest. The only way to make a Program.
Result<Program> check(ProgramData draft, const CheckOptions& options = {});

}  // namespace vyre::ir
