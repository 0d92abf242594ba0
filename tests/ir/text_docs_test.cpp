// docs/IR.md stays true: every ```vyre block parses and checks (and round-trips through the
// printer), and every ```vyre-error block fails with the code its first comment line names.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "vyre/diag/codes.h"
#include "vyre/ir/text.h"

namespace vyre::ir {
namespace {

struct Block {
  std::string fence;  // "vyre" or "vyre-error"
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
    } else if (line == "```vyre" || line == "```vyre-error") {
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
  EXPECT_GE(errors, 4);
}

}  // namespace
}  // namespace vyre::ir
