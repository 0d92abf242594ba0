#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "vyre/diag/codes.h"
#include "vyre/diag/render.h"
#include "vyre/diag/result.h"

namespace vyre {
namespace {

Diagnostic sample() {
  return Diagnostic::error(code::StoreToReadOnly, "store to buffer `x`, which is read-only",
                           "declare `x` as write or read_write")
      .at({3, 5})
      .note("declared here", {2, 3});
}

TEST(Render, HumanShowsCodeLocationSourceCaretAndHelp) {
  Diagnostic d = sample();
  d.file = "k.vy";
  std::string source = "kernel k workgroup(1) {\n  buffer x: read u32[4]\n    x[0] = 1u\n}\n";
  std::string out = render_human(d, RenderOptions{source, false});
  EXPECT_NE(out.find("error[VY2005]: store to buffer `x`, which is read-only"), std::string::npos)
      << out;
  EXPECT_NE(out.find(" --> k.vy:3:5"), std::string::npos) << out;
  EXPECT_NE(out.find("3 |     x[0] = 1u"), std::string::npos) << out;
  // The caret sits under column 5.
  EXPECT_NE(out.find("  |     ^\n"), std::string::npos) << out;
  EXPECT_NE(out.find("note: declared here (at 2:3)"), std::string::npos) << out;
  EXPECT_NE(out.find("help: declare `x` as write or read_write"), std::string::npos) << out;
}

TEST(Render, HumanWithoutSourceStillNamesPosition) {
  std::string out = render_human(sample());
  EXPECT_NE(out.find(" --> 3:5"), std::string::npos) << out;
  EXPECT_EQ(out.find(" | "), std::string::npos) << out;
}

TEST(Render, HumanRendersEveryFurtherDiagnostic) {
  Diagnostic d = sample();
  d.more.push_back(Diagnostic::error(code::UndefinedName, "`q` is not defined", "declare it"));
  std::string out = render_human(d);
  EXPECT_NE(out.find("error[VY2005]"), std::string::npos);
  EXPECT_NE(out.find("error[VY2001]: `q` is not defined"), std::string::npos);
}

TEST(Render, JsonHasEveryField) {
  Diagnostic d = sample();
  d.path = "kernel k > body[0]";
  auto j = nlohmann::json::parse(render_json(d));
  EXPECT_EQ(j["code"], "VY2005");
  EXPECT_EQ(j["severity"], "error");
  EXPECT_EQ(j["line"], 3);
  EXPECT_EQ(j["column"], 5);
  EXPECT_EQ(j["help"], "declare `x` as write or read_write");
  EXPECT_EQ(j["path"], "kernel k > body[0]");
  ASSERT_EQ(j["notes"].size(), 1u);
  EXPECT_EQ(j["notes"][0]["line"], 2);
}

TEST(Render, JsonArrayFlattensMore) {
  Diagnostic d = sample();
  d.more.push_back(Diagnostic::warning(code::UndefinedName, "w", "h"));
  auto j = nlohmann::json::parse(render_json_array(d));
  ASSERT_EQ(j.size(), 2u);
  EXPECT_EQ(j[1]["severity"], "warning");
}

TEST(Render, JsonSurvivesInvalidUtf8) {
  Diagnostic d = Diagnostic::error(code::UnexpectedCharacter, "bad byte \xff here", "remove it");
  auto j = nlohmann::json::parse(render_json(d));
  EXPECT_EQ(j["code"], "VY1001");
}

Result<int> half(int v) {
  if (v % 2 != 0) return Diagnostic::error(code::TypeMismatch, "odd", "give an even number");
  return v / 2;
}

Result<int> quarter(int v) {
  int h = VYRE_TRY(half(v));
  return VYRE_TRY(half(h));
}

Status check_even(int v) {
  VYRE_TRY(half(v));
  return Ok{};
}

TEST(ResultTest, TryPropagatesErrorsAndValues) {
  auto ok = quarter(8);
  ASSERT_TRUE(ok);
  EXPECT_EQ(*ok, 2);
  auto bad = quarter(6);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, "VY2004");
  EXPECT_TRUE(check_even(4).ok());
  EXPECT_FALSE(check_even(3).ok());
}

}  // namespace
}  // namespace vyre
