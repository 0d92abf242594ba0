// `vyre explain`: a catalogued code prints its explanation; an unknown one is a diagnostic.
#include <gtest/gtest.h>

#include "cli/vyre_binary.h"
#include "vyre/backends/builtin.h"
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

// Backend modules' codes answer too, and a retired code says which generic code replaced it,
// so no published code stops explaining (VY6003 and VY7003 are now VY4101).
TEST_F(ExplainCommand, ExplainsModuleCodesAndRetiredOnes) {
  auto r = run_vyre("explain VY6002", true);
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(r.out.rfind("VY6002: VYRE_OPENCL_DEVICE selects no device", 0), 0u) << r.out;
  for (const char* retired : {"VY6003", "VY7003"}) {
    r = run_vyre(std::string("explain ") + retired, true);
    EXPECT_EQ(r.status, 0) << r.out;
    EXPECT_NE(r.out.find("Retired: this failure is now reported as VY4101"), std::string::npos)
        << r.out;
  }
  r = run_vyre("explain --list");
  for (const CodeInfo* info : builtin_catalogue().codes()) {
    EXPECT_NE(r.out.find(std::string(info->id) + "  " + std::string(info->title)),
              std::string::npos)
        << info->id;
  }
  EXPECT_NE(r.out.find("VY7006  CUDA context lost and rebuilt (retired: now VY4103)"),
            std::string::npos)
      << r.out;
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
