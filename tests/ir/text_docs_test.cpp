// docs/IR.md stays true: every ```vyre block parses and checks (and round-trips through the
// printer), every ```vyre-error block fails with the code its first comment line names, every
// ```vyre-dispatch-error block checks (tests/reference/docs_dispatch_test.cpp runs it), and
// every code of the language (VY1xxx, VY2xxx) has such an example.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include <set>

#include "vyre/diag/codes.h"
#include "vyre/ir/text.h"

namespace vyre::ir {
namespace {

struct Block {
  std::string fence;  // "vyre", "vyre-error" or "vyre-dispatch-error"
  std::string text;
  int line = 0;  // line of the opening fence in IR.md
};

std::vector<Block> vyre_blocks() {
  std::ifstream in(std::filesystem::path(VYRE_SOURCE_DIR) / "docs" / "IR.md");
  EXPECT_TRUE(in.good()) << "docs/IR.md is missing";
  std::vector<Block> blocks;
  std::string line;
  int number = 0;
  Block* open = nullptr;
  bool in_other_fence = false;
  while (std::getline(in, line)) {
    ++number;
    if (open) {
      if (line == "```") {
        open = nullptr;
      } else {
        open->text += line + "\n";
      }
    } else if (in_other_fence) {
      if (line == "```") in_other_fence = false;
    } else if (line == "```vyre" || line == "```vyre-error" || line == "```vyre-dispatch-error") {
      blocks.push_back(Block{line.substr(3), {}, number});
      open = &blocks.back();
    } else if (line.rfind("```", 0) == 0) {
      in_other_fence = true;
    }
  }
  EXPECT_EQ(open, nullptr) << "unclosed ```vyre block";
  return blocks;
}

std::string describe(const Diagnostic& d) {
  return d.code + " at " + std::to_string(d.location.line) + ":" +
         std::to_string(d.location.column) + ": " + d.message;
}

TEST(TextDocs, EveryKernelSnippetChecks) {
  int kernels = 0;
  for (const Block& block : vyre_blocks()) {
    if (block.fence != "vyre") continue;
    ++kernels;
    SCOPED_TRACE("docs/IR.md:" + std::to_string(block.line));
    auto program = parse_program(block.text, CheckOptions{.file = "IR.md"});
    ASSERT_TRUE(program.ok()) << describe(program.error()) << "\n" << block.text;
    const std::string printed = print_program(*program);
    auto again = parse_program(printed);
    ASSERT_TRUE(again.ok()) << describe(again.error()) << "\n" << printed;
    EXPECT_TRUE(*again == *program) << printed;
    EXPECT_EQ(print_program(*again), printed);
  }
  EXPECT_GE(kernels, 8);
}

TEST(TextDocs, EveryErrorSnippetFailsWithItsCode) {
  const std::regex first_line(R"(^//\s*(VY\d{4})\b)");
  int errors = 0;
  for (const Block& block : vyre_blocks()) {
    if (block.fence != "vyre-error") continue;
    ++errors;
    SCOPED_TRACE("docs/IR.md:" + std::to_string(block.line));
    std::smatch match;
    const std::string head = block.text.substr(0, block.text.find('\n'));
    ASSERT_TRUE(std::regex_search(head, match, first_line))
        << "a vyre-error block starts with a comment naming its code: " << head;
    const std::string code = match[1];
    ASSERT_NE(find_code(code), nullptr) << code << " is not a catalogued code";
    auto program = parse_program(block.text);
    ASSERT_FALSE(program.ok()) << "expected " << code << ", but it checked:\n" << block.text;
    EXPECT_EQ(program.error().code, code) << describe(program.error()) << "\n" << block.text;
    EXPECT_TRUE(program.error().location.known()) << describe(program.error());
  }
  EXPECT_GE(errors, 25);
}

// The code a vyre-error or vyre-dispatch-error block names on its first line, or "".
std::string named_code(const Block& block) {
  static const std::regex first_line(R"(^//\s*(VY\d{4})\b)");
  std::smatch match;
  const std::string head = block.text.substr(0, block.text.find('\n'));
  return std::regex_search(head, match, first_line) ? std::string(match[1]) : std::string();
}

TEST(TextDocs, EveryDispatchErrorSnippetChecks) {
  int dispatch_errors = 0;
  for (const Block& block : vyre_blocks()) {
    if (block.fence != "vyre-dispatch-error") continue;
    ++dispatch_errors;
    SCOPED_TRACE("docs/IR.md:" + std::to_string(block.line));
    const std::string code = named_code(block);
    EXPECT_TRUE(code == code::LoopCapReached || code == code::DataRace)
        << "a dispatch error is VY2103 or VY2104, not `" << code << "`";
    auto program = parse_program(block.text);
    EXPECT_TRUE(program.ok()) << describe(program.error()) << "\n" << block.text;
  }
  EXPECT_EQ(dispatch_errors, 2);
}

// Each rule of the language has an example that fails with its code: every VY1xxx and VY2xxx
// code in the catalogue but the two IR.md names as impossible to show.
TEST(TextDocs, EveryLanguageCodeHasAFailingExample) {
  std::set<std::string> shown;
  for (const Block& block : vyre_blocks()) {
    if (block.fence != "vyre") shown.insert(named_code(block));
  }
  const std::set<std::string> not_shown = {"VY1007", "VY2016"};
  int codes = 0;
  for (const CodeInfo& info : diagnostic_catalogue()) {
    const std::string id(info.id);
    if ((id.rfind("VY1", 0) != 0 && id.rfind("VY2", 0) != 0) || !info.replaced_by.empty()) {
      continue;
    }
    ++codes;
    if (not_shown.count(id) != 0) {
      EXPECT_EQ(shown.count(id), 0u) << id << " has an example now: drop it from not_shown";
      continue;
    }
    EXPECT_EQ(shown.count(id), 1u)
        << id << " (" << info.title << ") has no failing example in docs/IR.md";
  }
  EXPECT_GE(codes, 31);
}

}  // namespace
}  // namespace vyre::ir
