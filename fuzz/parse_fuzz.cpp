// Fuzzes the text format: any input either fails with a located VY1xxx diagnostic or parses; what
// parses prints to text that parses again and prints identically; and what also checks survives
// print -> parse_program unchanged (parse(print(p)) == p). Any violation aborts.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "vyre/diag/codes.h"
#include "vyre/ir/text.h"

namespace {

[[noreturn]] void fail(const char* what, std::string_view text) {
  std::fprintf(stderr, "parse_fuzz: %s\n--- text ---\n%.*s\n", what, static_cast<int>(text.size()),
               text.data());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace vyre::ir;
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  auto parsed = parse_unchecked(text);
  if (!parsed.ok()) {
    const vyre::Diagnostic& d = parsed.error();
    if (d.code.rfind("VY1", 0) != 0 || vyre::find_code(d.code) == nullptr) {
      fail("syntax error with a code outside VY1xxx or the catalogue", text);
    }
    if (!d.location.known() || d.message.empty() || d.help.empty()) {
      fail("syntax error without location, message or help", text);
    }
    return 0;
  }

  // Unchecked trees: printing is a fixed point after one round.
  const std::string printed = print_program(*parsed);
  auto reparsed = parse_unchecked(printed);
  if (!reparsed.ok()) fail("printed program does not parse", printed);
  if (print_program(*reparsed) != printed) fail("printing is not stable", printed);

  // Checked programs: parse(print(p)) == p exactly.
  auto program = check(parsed->clone());
  if (!program.ok()) return 0;
  const std::string canonical = print_program(*program);
  auto again = parse_program(canonical);
  if (!again.ok()) fail("canonical text of a checked program does not check", canonical);
  if (!(*again == *program)) fail("parse(print(p)) != p", canonical);
  if (print_program(*again) != canonical) fail("canonical printing is not stable", canonical);
  return 0;
}
