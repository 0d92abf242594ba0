// `vyre explain`: a catalogued code prints its explanation; an unknown one is a diagnostic.
#include <gtest/gtest.h>

#include "cli/vyre_binary.h"
#include "vyre/diag/codes.h"

namespace vyre::testing {
namespace {

class ExplainCommand : public CliTest {};

TEST_F(ExplainCommand, PrintsTheCataloguedExplanation) {
  const CodeInfo* info = find_code("VY2005");
  ASSERT_NE(info, nullptr);
  for (const char* spelling : {"VY2005", "vy2005"}) {
    auto r = run_vyre(std::string("explain ") + spelling, true);
    EXPECT_EQ(r.status, 0) << r.out;
    EXPECT_EQ(r.out.rfind("VY2005: " + std::string(info->title) + "\n\n", 0), 0u) << r.out;
    EXPECT_NE(r.out.find(info->explanation), std::string::npos) << r.out;
  }
}

TEST_F(ExplainCommand, ListsEveryCode) {
  auto r = run_vyre("explain --list");
  EXPECT_EQ(r.status, 0);
  for (const CodeInfo& info : diagnostic_catalogue()) {
    EXPECT_NE(r.out.find(std::string(info.id) + "  " + std::string(info.title)), std::string::npos)
        << info.id;
  }
}

TEST_F(ExplainCommand, UnknownCodeIsADiagnostic) {
  auto r = run_vyre("explain VY9999", true);
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.out.find("error[VY8002]: unknown diagnostic code `VY9999`"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("help: run `vyre explain --list`"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace vyre::testing
