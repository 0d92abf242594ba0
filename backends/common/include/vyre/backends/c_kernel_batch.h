// Several generated kernels in one translation unit, so a backend whose compiler has a high
// fixed cost per build (OpenCL on PoCL: ~0.5 s) builds many programs at once. The prelude
// (extensions, typedefs, helpers) appears once; each kernel keeps its own entry name, workgroup
// attribute and argument list.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "vyre/backends/c_emitter.h"

namespace vyre::codegen {

// The kernels' source: one header, the union of their preludes (a helper shared by several
// kernels is defined once; helpers depend only on the dialect, ULP budget and fp64 option, so
// the parts must have been generated with the same ones), then each kernel under its summary
// line. Entry names must be distinct. The parts must share one dialect.
std::string emit_c_kernel_batch(std::span<const KernelParts> kernels);

// The entry name of a program's kernel in a batch: "vyre_" and the program's full digest in hex,
// so a cached batch binary names the kernel of exactly one program.
std::string batch_entry_name(const ir::Program& program);

// Whether a cached binary's `entry` is `program`'s own kernel: kSingleEntry, or the batch entry
// of exactly this program. A backend's load() refuses any other, so a batch binary cached for
// one program never runs another program's kernel.
bool is_program_entry(std::string_view entry, const ir::Program& program);

}  // namespace vyre::codegen
