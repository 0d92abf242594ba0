// `vyre cache keygen`: a private secret key, its public half, and never an overwrite.
#include <sys/stat.h>

#include <fstream>

#include "cli/vyre_binary.h"

namespace vyre::testing {
namespace {

class CacheKeygen : public CliTest {};

TEST_F(CacheKeygen, WritesAPrivateSecretAndItsPublicKey) {
  const fs::path key = dir_ / "fleet.key";
  Output made = run_vyre("cache keygen " + key.string());
  ASSERT_EQ(made.status, 0) << made.out;
  struct stat st {};
  ASSERT_EQ(::stat(key.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u) << "the secret key must be readable by its owner only";
  std::ifstream pub(key.string() + ".pub");
  std::string hex;
  pub >> hex;
  ASSERT_EQ(hex.size(), 64u);
  EXPECT_EQ(hex.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_NE(made.out.find(hex), std::string::npos) << "the public key is printed";
  EXPECT_NE(made.out.find("VYRE_REMOTE_CACHE_TRUSTED_KEYS"), std::string::npos);

  Output again = run_vyre("cache keygen " + key.string(), /*merge_stderr=*/true);
  EXPECT_EQ(again.status, 1);
  EXPECT_NE(again.out.find("VY5204"), std::string::npos) << again.out;
  std::ifstream pub2(key.string() + ".pub");
  std::string hex2;
  pub2 >> hex2;
  EXPECT_EQ(hex2, hex) << "an existing key pair is never replaced";
}

}  // namespace
}  // namespace vyre::testing
