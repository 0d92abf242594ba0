#include "vyre/pipeline/entry_signature.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "vyre/diag/codes.h"
#include "vyre/pipeline/entry_format.h"

namespace vyre::pipeline {
namespace {

constexpr std::array<std::uint8_t, 8> kMagic = {'V', 'Y', 'R', 'E', 'S', 'I', 'G', '1'};
// Domain separation: a signature over a vyre shared-cache entry is never valid for anything else.
constexpr std::string_view kDomain = "vyre shared pipeline cache entry v1";
constexpr std::size_t kKeyOffset = 8;
constexpr std::size_t kSignatureOffset = 40;

void ensure_sodium() {
  static const int initialised = sodium_init();  // thread-safe once; <0 only without entropy
  (void)initialised;
}

Diagnostic bad_key(std::string message) {
  return Diagnostic::error(code::BadSigningKey, std::move(message),
                           "make a key pair with `vyre cache keygen FILE`, and list public keys "
                           "as 64 hex digits or files of them");
}

std::vector<std::uint8_t> signed_message(const Digest& key, std::span<const std::uint8_t> entry) {
  std::vector<std::uint8_t> message(kDomain.size() + key.size() + entry.size());
  std::memcpy(message.data(), kDomain.data(), kDomain.size());
  std::memcpy(message.data() + kDomain.size(), key.data(), key.size());
  if (!entry.empty()) {
    std::memcpy(message.data() + kDomain.size() + key.size(), entry.data(), entry.size());
  }
  return message;
}

std::optional<std::array<std::uint8_t, 32>> hex32(std::string_view hex) {
  if (hex.size() != 64) return std::nullopt;
  for (char c : hex) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) return std::nullopt;
  }
  auto digest = digest_from_hex(hex);
  if (!digest) return std::nullopt;
  return *digest;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

OpenedEntry refuse(MissReason reason, Diagnostic defect) {
  OpenedEntry out;
  out.refused = reason;
  out.defect = std::move(defect);
  return out;
}

Diagnostic untrusted(std::string what) {
  return Diagnostic::warning(code::RemoteEntryUntrusted,
                             "shared cache entry refused: " + std::move(what),
                             "list the writer's public key in VYRE_REMOTE_CACHE_TRUSTED_KEYS if it "
                             "is legitimate; otherwise restrict who may write the namespace");
}

}  // namespace

SigningKey SigningKey::generate() {
  ensure_sodium();
  SigningKey key;
  crypto_sign_keypair(key.public_.data(), key.secret_.data());
  return key;
}

SigningKey SigningKey::from_seed(std::span<const std::uint8_t, 32> seed) {
  ensure_sodium();
  SigningKey key;
  crypto_sign_seed_keypair(key.public_.data(), key.secret_.data(), seed.data());
  return key;
}

Result<std::string> read_secret_file(const std::filesystem::path& path, std::string_view what) {
  const std::string name = std::string(what) + " " + path.string();
  // O_NOFOLLOW: the permission check must be of the file that is read, not of a link's target.
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return bad_key("cannot open " + name + ": " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return bad_key(name + " is not a regular file");
  }
  if ((st.st_mode & 077) != 0) {
    ::close(fd);
    char mode[8];
    std::snprintf(mode, sizeof mode, "%03o", static_cast<unsigned>(st.st_mode & 0777));
    return Diagnostic::error(code::SigningKeyExposed,
                             name + " has mode " + mode + ": readable by group or others",
                             "run `chmod 600 " + path.string() +
                                 "`; vyre does not use the file (nor writes to the shared cache "
                                 "with it) until then");
  }
  char buffer[512];
  ssize_t n = ::read(fd, buffer, sizeof buffer);
  ::close(fd);
  if (n < 0) return bad_key("cannot read " + name);
  std::string_view text(buffer, static_cast<std::size_t>(n));
  std::string out(trim(text.substr(0, text.find('\n'))));
  sodium_memzero(buffer, sizeof buffer);
  return out;
}

Result<SigningKey> SigningKey::load(const std::filesystem::path& path) {
  std::string text = VYRE_TRY(read_secret_file(path, "signing key"));
  auto seed = hex32(text);
  sodium_memzero(text.data(), text.size());
  if (!seed) return bad_key("signing key " + path.string() + " is not 64 hex digits");
  SigningKey key = from_seed(*seed);
  sodium_memzero(seed->data(), seed->size());
  return key;
}

std::array<std::uint8_t, 64> SigningKey::sign(std::span<const std::uint8_t> message) const {
  std::array<std::uint8_t, 64> signature{};
  crypto_sign_detached(signature.data(), nullptr, message.data(), message.size(), secret_.data());
  return signature;
}

Status write_key_pair(const SigningKey& key, const std::filesystem::path& secret_path) {
  std::filesystem::path public_path = secret_path;
  public_path += ".pub";
  std::error_code ec;
  if (std::filesystem::exists(secret_path, ec) || std::filesystem::exists(public_path, ec)) {
    return bad_key("refusing to replace " + secret_path.string() + " or its .pub");
  }
  int fd = ::open(secret_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    return bad_key("cannot create " + secret_path.string() + ": " + std::strerror(errno));
  }
  std::string secret = to_hex(key.seed()) + "\n";
  bool ok = ::write(fd, secret.data(), secret.size()) == static_cast<ssize_t>(secret.size());
  ok = ::fsync(fd) == 0 && ok;
  ::close(fd);
  sodium_memzero(secret.data(), secret.size());
  if (!ok) return bad_key("cannot write " + secret_path.string());
  std::ofstream pub(public_path, std::ios::trunc);
  pub << public_key_hex(key.public_key()) << "\n";
  if (!pub.good()) return bad_key("cannot write " + public_path.string());
  return Ok{};
}

std::string public_key_hex(const PublicKey& key) {
  return to_hex(key);
}

Result<PublicKey> parse_public_key(std::string_view hex, std::string_view what) {
  auto key = hex32(trim(hex));
  if (!key) return bad_key(std::string(what) + " is not a public key (64 hex digits)");
  return *key;
}

Result<std::vector<PublicKey>> parse_trusted_keys(std::string_view list) {
  std::vector<PublicKey> keys;
  std::size_t i = 0;
  while (i < list.size()) {
    std::size_t end = list.find_first_of(", \t\n", i);
    if (end == std::string_view::npos) end = list.size();
    std::string_view item = list.substr(i, end - i);
    i = end + 1;
    if (item.empty()) continue;
    if (auto key = hex32(item)) {
      keys.push_back(*key);
      continue;
    }
    std::ifstream in{std::string(item)};
    if (!in) {
      return bad_key("VYRE_REMOTE_CACHE_TRUSTED_KEYS item \"" + std::string(item) +
                     "\" is neither a public key nor a readable file");
    }
    std::string line;
    int number = 0;
    while (std::getline(in, line)) {
      ++number;
      std::string_view text = trim(std::string_view(line).substr(0, line.find('#')));
      if (text.empty()) continue;
      keys.push_back(
          VYRE_TRY(parse_public_key(text, std::string(item) + ":" + std::to_string(number))));
    }
  }
  return keys;
}

std::vector<std::uint8_t> sign_entry(const SigningKey& signer, const Digest& key,
                                     std::span<const std::uint8_t> entry) {
  std::vector<std::uint8_t> message = signed_message(key, entry);
  std::array<std::uint8_t, 64> signature = signer.sign(message);
  std::vector<std::uint8_t> out(kSignedEnvelopeHeaderBytes + entry.size());
  std::memcpy(out.data(), kMagic.data(), kMagic.size());
  std::memcpy(out.data() + kKeyOffset, signer.public_key().data(), 32);
  std::memcpy(out.data() + kSignatureOffset, signature.data(), signature.size());
  if (!entry.empty()) {
    std::memcpy(out.data() + kSignedEnvelopeHeaderBytes, entry.data(), entry.size());
  }
  return out;
}

OpenedEntry open_signed_entry(std::span<const std::uint8_t> envelope, const Digest& key,
                              std::span<const PublicKey> trusted) {
  ensure_sodium();
  const bool has_magic = envelope.size() >= kMagic.size() &&
                         std::equal(kMagic.begin(), kMagic.end(), envelope.begin());
  if (!has_magic) {
    // Bytes that start like a bare entry are an unsigned write; anything else is damage.
    if (envelope.size() >= 8 && std::memcmp(envelope.data(), "VYREPIPE", 8) == 0) {
      return refuse(MissReason::UntrustedEntry, untrusted("it is not signed"));
    }
    return refuse(MissReason::CorruptEntry, entry_defect("not a signed vyre entry"));
  }
  if (envelope.size() < kSignedEnvelopeHeaderBytes + kEntryHeaderBytes) {
    return refuse(
        MissReason::CorruptEntry,
        entry_defect("truncated signed entry (" + std::to_string(envelope.size()) + " bytes)"));
  }
  PublicKey signer;
  std::memcpy(signer.data(), envelope.data() + kKeyOffset, signer.size());
  bool known = false;
  for (const PublicKey& k : trusted)
    known = known || sodium_memcmp(k.data(), signer.data(), 32) == 0;
  if (!known) {
    return refuse(MissReason::UntrustedEntry,
                  untrusted("signed by " + public_key_hex(signer).substr(0, 16) +
                            "…, a key VYRE_REMOTE_CACHE_TRUSTED_KEYS does not list"));
  }
  std::span<const std::uint8_t> entry = envelope.subspan(kSignedEnvelopeHeaderBytes);
  std::vector<std::uint8_t> message = signed_message(key, entry);
  if (crypto_sign_verify_detached(envelope.data() + kSignatureOffset, message.data(),
                                  message.size(), signer.data()) != 0) {
    // Tell damage from forgery: an entry whose own checksums fail was damaged; an intact one
    // under a bad signature was forged or signed for another key.
    auto decoded = decode_entry(entry, public_entry_secret());
    if (!decoded.ok()) return refuse(MissReason::CorruptEntry, decoded.error());
    if (decoded->key != key) {
      return refuse(MissReason::CorruptEntry,
                    entry_defect("the entry belongs to another key (" +
                                 to_hex(decoded->key).substr(0, 12) + ")"));
    }
    return refuse(MissReason::UntrustedEntry, untrusted("its signature does not verify"));
  }
  OpenedEntry out;
  out.entry = entry;
  return out;
}

}  // namespace vyre::pipeline
