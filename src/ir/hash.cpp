#include "vyre/ir/hash.h"

#include <blake3.h>

#include <cstddef>

namespace vyre {

static_assert(sizeof(blake3_hasher) <= 1912, "Hasher::state_ too small for blake3_hasher");
static_assert(alignof(blake3_hasher) <= 8, "Hasher::state_ under-aligned for blake3_hasher");

namespace {
blake3_hasher* as_hasher(std::uint8_t* state) {
  return reinterpret_cast<blake3_hasher*>(state);
}
const blake3_hasher* as_hasher(const std::uint8_t* state) {
  return reinterpret_cast<const blake3_hasher*>(state);
}
}  // namespace

std::string to_hex(std::span<const std::uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(bytes.size() * 2, '0');
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    out[2 * i] = kDigits[bytes[i] >> 4];
    out[2 * i + 1] = kDigits[bytes[i] & 15];
  }
  return out;
}

std::optional<Digest> digest_from_hex(std::string_view hex) {
  if (hex.size() != 64) return std::nullopt;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  Digest out{};
  for (std::size_t i = 0; i < 32; ++i) {
    int hi = nibble(hex[2 * i]);
    int lo = nibble(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out[i] = static_cast<std::uint8_t>(hi << 4 | lo);
  }
  return out;
}

Hasher::Hasher() {
  blake3_hasher_init(as_hasher(state_));
}

Hasher::Hasher(std::string_view domain) {
  blake3_hasher_init_derive_key_raw(as_hasher(state_), domain.data(), domain.size());
}

Hasher::Hasher(const HashDomain& domain) : Hasher(domain.context()) {}

Hasher::~Hasher() = default;

Hasher& Hasher::update(std::span<const std::uint8_t> bytes) {
  blake3_hasher_update(as_hasher(state_), bytes.data(), bytes.size());
  return *this;
}

Hasher& Hasher::update(std::string_view text) {
  blake3_hasher_update(as_hasher(state_), text.data(), text.size());
  return *this;
}

Hasher& Hasher::field(std::string_view text) {
  field(static_cast<std::uint64_t>(text.size()));
  return update(text);
}

Hasher& Hasher::field(std::uint64_t value) {
  std::uint8_t le[8];
  for (int i = 0; i < 8; ++i) le[i] = static_cast<std::uint8_t>(value >> (8 * i));
  return update(std::span<const std::uint8_t>(le, 8));
}

Digest Hasher::finish() const {
  Digest out{};
  blake3_hasher_finalize(as_hasher(state_), out.data(), out.size());
  return out;
}

Digest blake3(std::span<const std::uint8_t> bytes) {
  Hasher h;
  h.update(bytes);
  return h.finish();
}

}  // namespace vyre
