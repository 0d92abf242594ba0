// The C-family code generator shared by the OpenCL and CUDA backends: lowers a checked Program
// to one kernel in OpenCL C 1.2 or CUDA C (compilable by NVRTC without host headers), with the
// IR's semantics (wrapping arithmetic, masked shifts, total division, robust buffer access,
// saturating float->int casts, capped loops) spelled out by small helper functions in a prelude.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "vyre/diag/result.h"
#include "vyre/ir/program.h"

namespace vyre::codegen {

enum class Dialect { OpenCL, Cuda };

// Revision of the generated code. Bump it whenever the same program would generate different
// source; backends put it into their fingerprint's compiler field so cached binaries miss.
inline constexpr std::string_view kCodegenRevision = "vyre-codegen-c 3";

std::string_view dialect_name(Dialect dialect);  // "opencl", "cuda"

// A backend's own op lowerings: op name -> source template, where {0} {1} {2} are the arguments,
// {T} the type suffix ("f32", "u64") and {f} an "f" for f32 (C libm naming). The backend that
// owns the table answers supported_ops() from it; nothing is registered globally.
using LoweringTable = std::map<std::string, std::string, std::less<>>;

// This generator's lowerings for a dialect (built once, never changed).
const LoweringTable& c_lowerings(Dialect dialect);
// The ops of `table` that the op registry knows, in registry order.
std::vector<std::string> lowered_ops(const LoweringTable& table);

// The kernel function's name when a program is compiled on its own.
inline constexpr std::string_view kSingleEntry = "vyre_main";

struct EmitOptions {
  Dialect dialect = Dialect::OpenCL;
  std::array<std::uint32_t, 3> workgroup{1, 1, 1};  // compiled in (reqd_work_group_size)
  std::uint32_t ulp_budget = 4;
  bool int64_atomics = false;  // OpenCL: enable cl_khr_int64_{base,extended}_atomics
  bool fp64 = true;            // OpenCL: enable cl_khr_fp64 (needed for f64 programs)
  // The backend's op lowerings; null = c_lowerings(dialect). Must outlive the emit call.
  const LoweringTable* lowerings = nullptr;
  // The backend named in a missing-lowering diagnostic; empty = dialect_name(dialect).
  std::string backend_id;
  // The kernel function's name. Several kernels built as one translation unit
  // (emit_c_kernel_batch) each need their own.
  std::string entry{kSingleEntry};
};

// Kernel ABI, identical for both dialects, in this order: for each buffer in declaration order a
// pointer then its element count as a 64-bit unsigned (ulong / unsigned long long); then each
// param by value in declaration order (bool params passed as a 32-bit uint, 0/1; other types as
// themselves); then each size symbol as a 32-bit uint. Buffer elements of type bool are one byte.
struct KernelArg {
  enum Kind { BufferPointer, BufferLength, Param, Size } kind;
  std::uint32_t index;  // buffer, param or size-symbol index
};

struct KernelSource {
  std::string source;
  std::string entry{kSingleEntry};
  std::vector<KernelArg> args;
};

// One generated kernel before it is assembled into a translation unit: what its prelude needs
// and the kernel function itself. emit_c_kernel() assembles one; emit_c_kernel_batch() several.
struct KernelParts {
  Dialect dialect = Dialect::OpenCL;
  std::string entry;
  std::vector<KernelArg> args;
  std::string header;                // the leading comment of a single-kernel source
  std::string summary;               // one comment line naming the kernel, for a batch
  bool f64 = false;                  // needs double (OpenCL: cl_khr_fp64 and vy_f64)
  bool int64_atomics = false;        // OpenCL: needs cl_khr_int64_{base,extended}_atomics
  std::vector<std::string> helpers;  // prelude definitions, each after the helpers it calls
  std::string kernel;                // the kernel function, named `entry`
};

// Generates the kernel. Fails with BackendLacksFeature (VY4005) when the program calls an op
// with no lowering registered for the backend id, uses f64 without options.fp64, or 64-bit
// atomics in OpenCL without options.int64_atomics.
Result<KernelSource> emit_c_kernel(const ir::Program& program, const EmitOptions& options);
// The same, unassembled (emit_c_kernel is header + prelude + kernel of these parts).
Result<KernelParts> emit_c_kernel_parts(const ir::Program& program, const EmitOptions& options);

// The kernel ABI of a program (the `args` emit_c_kernel returns), without generating code.
std::vector<KernelArg> kernel_args(const ir::Program& program);

// Whether `args` is exactly kernel_args(program), without building that vector: what a backend
// checks when it loads cached bytes, on a fresh process's first cache hit.
bool has_kernel_args(std::span<const KernelArg> args, const ir::Program& program);

}  // namespace vyre::codegen
