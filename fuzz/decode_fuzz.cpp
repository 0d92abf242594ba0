// Fuzzes the binary decoder: any input either fails with a catalogued VY3xxx (or, once decoded,
// VY1xxx/VY2xxx check) diagnostic or yields a Program; a decoded Program re-encodes to bytes that
// decode to an equal Program, and its Full encoding is a fixed point. Any violation aborts.
//
// Seeds: Full and Normalised encodings of examples/*.vy (see docs/ENCODING.md, "Fuzzing").
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>

#include "ir/encoding_draft.h"
#include "vyre/diag/codes.h"
#include "vyre/ir/encoding.h"

namespace {

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "decode_fuzz: %s\n", what);
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace vyre::ir;
  const std::span<const std::uint8_t> bytes(data, size);

  auto draft = decode_program_data(bytes);
  if (!draft.ok()) {
    const vyre::Diagnostic& d = draft.error();
    if (d.code.rfind("VY3", 0) != 0 || vyre::find_code(d.code) == nullptr) {
      fail("decoder error with a code outside VY3xxx or the catalogue");
    }
    if (d.message.empty() || d.help.empty()) fail("decoder error without message or help");
    auto full = decode_program(bytes);
    if (full.ok() || full.error().code != d.code) fail("decode_program disagrees with the draft");
    return 0;
  }

  auto program = decode_program(bytes);
  if (!program.ok()) {
    if (vyre::find_code(program.error().code) == nullptr) fail("check error outside the catalogue");
    return 0;
  }

  const std::vector<std::uint8_t> encoded = encode_program(*program);
  auto again = decode_program(encoded);
  if (!again.ok()) fail("a decoded program's encoding does not decode");
  if (!(again->data() == program->data())) fail("decode(encode(p)) != p");
  if (encode_program(*again) != encoded) fail("the Full encoding is not a fixed point");

  const std::vector<std::uint8_t> normalised = encode_program(*program, EncodingMode::Normalised);
  auto from_normalised = decode_program(normalised);
  if (!from_normalised.ok()) fail("a normalised encoding does not decode");
  if (from_normalised->digest() != program->digest()) fail("normalised decode changes the digest");
  return 0;
}
