// docs/IR.md's dispatch errors: every ```vyre-dispatch-error block runs on the reference backend
// (race detection on) and fails with the code its first comment line names, at a known position.
// tests/ir/text_docs_test.cpp checks that the blocks parse and that there is one per code.
#include <gtest/gtest.h>

#include <regex>
#include <sstream>

#include "runtime/run_support.h"
#include "vyre/backends/reference.h"
#include "vyre/diag/codes.h"

namespace vyre {
namespace {

struct DispatchBlock {
  std::string code;
  std::string text;
  int line = 0;
};

std::vector<DispatchBlock> dispatch_blocks() {
  std::istringstream in(testing::read_file(std::string(VYRE_SOURCE_DIR) + "/docs/IR.md"));
  const std::regex first_line(R"(^//\s*(VY\d{4})\b)");
  std::vector<DispatchBlock> blocks;
  std::string line;
  int number = 0;
  bool open = false;
  while (std::getline(in, line)) {
    ++number;
    if (open) {
      if (line == "```") {
        open = false;
        continue;
      }
      DispatchBlock& block = blocks.back();
      std::smatch match;
      if (block.text.empty() && std::regex_search(line, match, first_line)) block.code = match[1];
      block.text += line + "\n";
    } else if (line == "```vyre-dispatch-error") {
      blocks.push_back(DispatchBlock{{}, {}, number});
      open = true;
    }
  }
  return blocks;
}

Result<RunResult> run_with_race_detection(const ir::Program& program) {
  BackendRegistry registry;
  BackendProvider provider;
  provider.id = "reference";
  provider.origin = "docs_dispatch_test";
  provider.probe = [] { return Status(Ok{}); };
  provider.factory = []() -> Result<std::shared_ptr<Backend>> {
    ReferenceOptions options;
    options.detect_races = true;
    return make_reference_backend(options);
  };
  EXPECT_TRUE(registry.add(std::move(provider)).ok());
  Runtime runtime(registry);
  return runtime.run(program, {}, testing::on_reference());
}

TEST(DocsDispatchErrors, EachFailsWithItsCodeOnTheReferenceBackend) {
  const std::vector<DispatchBlock> blocks = dispatch_blocks();
  ASSERT_EQ(blocks.size(), 2u);
  for (const DispatchBlock& block : blocks) {
    SCOPED_TRACE("docs/IR.md:" + std::to_string(block.line));
    ASSERT_FALSE(block.code.empty()) << block.text;
    auto result = run_with_race_detection(testing::parse(block.text));
    ASSERT_FALSE(result.ok()) << "expected " << block.code << ", but it ran:\n" << block.text;
    EXPECT_EQ(result.error().code, block.code) << result.error().message;
    EXPECT_TRUE(result.error().location.known()) << result.error().message;
    EXPECT_FALSE(result.error().help.empty());
  }
}

}  // namespace
}  // namespace vyre
