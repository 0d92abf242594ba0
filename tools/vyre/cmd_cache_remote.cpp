// `vyre cache keygen FILE`: the key pair that signs what a fleet writes to the shared remote
// cache (docs/SHARED_CACHE.md). FILE gets the secret seed (mode 0600), FILE.pub the public key.
#include <cstdio>

#include <nlohmann/json.hpp>

#include "command.h"
#include "source_file.h"
#include "vyre/pipeline/entry_signature.h"

namespace vyre::cli {
namespace {

int run_keygen(const std::string& file, bool json) {
  pipeline::SigningKey key = pipeline::SigningKey::generate();
  Status written = pipeline::write_key_pair(key, file);
  if (!written.ok()) {
    print_diagnostic(written.error(), "", json);
    return 1;
  }
  const std::string pub = pipeline::public_key_hex(key.public_key());
  if (json) {
    nlohmann::json j = {
        {"secret_key_file", file}, {"public_key_file", file + ".pub"}, {"public_key", pub}};
    std::printf("%s\n", j.dump(2).c_str());
    return 0;
  }
  std::printf("secret key: %s (mode 0600: keep it on writers only)\n", file.c_str());
  std::printf("public key: %s.pub\n  %s\n", file.c_str(), pub.c_str());
  std::printf("writers:  VYRE_REMOTE_CACHE_SIGNING_KEY=%s\n", file.c_str());
  std::printf("readers:  VYRE_REMOTE_CACHE_TRUSTED_KEYS=%s\n", pub.c_str());
  return 0;
}

}  // namespace

void install_cache_remote(CLI::App& cache, Context& ctx) {
  auto file = std::make_shared<std::string>();
  auto json = std::make_shared<bool>(false);
  auto* keygen = cache.add_subcommand(
      "keygen", "Make an Ed25519 key pair for signing shared (Redis) cache entries");
  keygen->add_option("FILE", *file, "secret key file to create (FILE.pub gets the public key)")
      ->required();
  keygen->add_flag("--json", *json, "JSON output");
  keygen->callback([&ctx, file, json] { ctx.exit_code = run_keygen(*file, *json); });
}

}  // namespace vyre::cli
