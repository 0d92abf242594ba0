// Embedding vyre: an empty registry is named plainly, HostBuffer deduces its element type and
// refuses a wrong one in its checked accessors, and the portable VYRE_TRY_ASSIGN/STATUS forms.
#include <gtest/gtest.h>

#include <array>

#include "vyre/diag/codes.h"
#include "vyre/ir/text.h"
#include "vyre/registry/backend_registry.h"
#include "vyre/runtime/runtime.h"

namespace vyre {
namespace {

TEST(Embedding, AnEmptyRegistrySaysWhatToCall) {
  BackendRegistry empty;
  Runtime runtime(empty);
  auto program =
      ir::parse_program("kernel k workgroup(1) {\n  buffer x: write u32[1]\n  x[0] = 1u\n}\n", {});
  ASSERT_TRUE(program.ok());
  auto route = runtime.route(*program, {});
  ASSERT_FALSE(route.ok());
  EXPECT_EQ(route.error().code, code::NoSuitableBackend);
  EXPECT_NE(route.error().message.find("no backends are registered"), std::string::npos)
      << route.error().message;
  EXPECT_NE(route.error().help.find("register_builtin_backends"), std::string::npos);
}

TEST(Embedding, HostBufferDeducesItsTypeAndChecksAccess) {
  auto f = HostBuffer::of(std::vector<float>{1, 2, 3});
  EXPECT_EQ(f.element(), ir::Type::F32);
  EXPECT_EQ(f.count(), 3u);
  const std::array<std::int64_t, 2> raw{-1, 7};
  auto i = HostBuffer::of(std::span<const std::int64_t>(raw));
  EXPECT_EQ(i.element(), ir::Type::I64);
  ASSERT_TRUE(i.checked<std::int64_t>().has_value());
  EXPECT_EQ((*i.checked<std::int64_t>())[1], 7);
  EXPECT_FALSE(i.checked<std::uint64_t>().has_value()) << "same width, other type: refused";
  EXPECT_FALSE(f.checked<std::uint32_t>().has_value());
  ASSERT_TRUE(f.checked<float>().has_value());
  (*f.checked<float>())[0] = 9;
  EXPECT_EQ(f.to_vector<float>()[0], 9.0f);
  static_assert(HostBuffer::element_type_of<bool>() == ir::Type::Bool);
}

Result<int> parse_positive(int v) {
  if (v <= 0) return Diagnostic::error(code::BadRunArgument, "not positive", "give more");
  return v;
}

Result<int> doubled(int v) {
  VYRE_TRY_ASSIGN(int checked, parse_positive(v));
  VYRE_TRY_STATUS(Status(Ok{}));
  return 2 * checked;
}

TEST(Embedding, PortableTryForms) {
  ASSERT_TRUE(doubled(4).ok());
  EXPECT_EQ(*doubled(4), 8);
  auto bad = doubled(-1);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message, "not positive");
}

}  // namespace
}  // namespace vyre
