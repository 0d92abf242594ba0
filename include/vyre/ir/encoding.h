// The canonical binary encoding of a Program (versioned) and its decoder, and the digest.
//
// Two encodings share one writer:
//  - Full: everything, names included; decode(encode(p)) == p. For storage and transport.
//  - Normalised: names replaced by indices (locals by slot, params/buffers/shared by
//    declaration order, size symbols by first appearance), locations dropped. Its BLAKE3 under
//    the "vyre program digest v1" domain is Program::digest(): renaming anything leaves it
//    unchanged; any change to types, counts, bindings, access, workgroup size or a body node
//    changes it.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "vyre/diag/result.h"
#include "vyre/ir/program.h"

namespace vyre::ir {

inline constexpr std::uint32_t kEncodingVersion = 1;

enum class EncodingMode : std::uint8_t { Full, Normalised };

std::vector<std::uint8_t> encode_program(const Program& program,
                                         EncodingMode mode = EncodingMode::Full);

// Decodes a Full encoding and checks the result. Rejects bad magic, unknown versions, truncation,
// trailing bytes, out-of-range tags and absurd lengths with a diagnostic; never crashes, never
// allocates more than a small multiple of the input size.
Result<Program> decode_program(std::span<const std::uint8_t> bytes,
                               const CheckOptions& options = {});

// BLAKE3 of the Normalised encoding: what check() stores as Program::digest(). `data` must have
// passed check() (the Normalised encoding uses what it resolved).
Digest compute_program_digest(const ProgramData& data);

}  // namespace vyre::ir
