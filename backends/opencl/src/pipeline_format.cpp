#include "pipeline_format.h"

#include <cstring>

#include <fmt/format.h>

#include "vyre/backends/opencl/codes.h"

namespace vyre::opencl {
namespace {

constexpr std::uint8_t kMagic[8] = {'V', 'Y', 'O', 'C', 'L', 'P', 'L', 0};

class Writer {
 public:
  void bytes(const void* data, std::size_t size) {
    const auto* p = static_cast<const std::uint8_t*>(data);
    out.insert(out.end(), p, p + size);
  }
  template <class T>
  void le(T value) {  // little-endian, whatever the host
    for (std::size_t i = 0; i < sizeof(T); ++i) {
      out.push_back(static_cast<std::uint8_t>(static_cast<std::uint64_t>(value) >> (8 * i)));
    }
  }
  std::vector<std::uint8_t> out;
};

class Reader {
 public:
  explicit Reader(std::span<const std::uint8_t> bytes) : bytes_(bytes) {}
  bool take(void* into, std::size_t size) {
    if (size > bytes_.size() - pos_) return false;
    if (size != 0) std::memcpy(into, bytes_.data() + pos_, size);
    pos_ += size;
    return true;
  }
  template <class T>
  bool le(T& value) {
    std::uint8_t raw[sizeof(T)];
    if (!take(raw, sizeof(T))) return false;
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < sizeof(T); ++i) v |= static_cast<std::uint64_t>(raw[i]) << (8 * i);
    value = static_cast<T>(v);
    return true;
  }
  std::size_t left() const { return bytes_.size() - pos_; }

 private:
  std::span<const std::uint8_t> bytes_;
  std::size_t pos_ = 0;
};

Diagnostic bad(std::string why) {
  return Diagnostic::error(code::BadPipelineBytes,
                           fmt::format("serialized OpenCL pipeline rejected: {}", why),
                           "nothing to fix by hand: the pipeline cache drops the entry and "
                           "recompiles");
}

}  // namespace

std::vector<std::uint8_t> encode_pipeline(const PipelineImage& image) {
  Writer w;
  w.bytes(kMagic, sizeof kMagic);
  w.le<std::uint32_t>(kPipelineFormatVersion);
  w.bytes(image.program.data(), image.program.size());
  for (std::uint32_t v : image.workgroup) w.le<std::uint32_t>(v);
  w.le<std::uint32_t>(image.ulp_budget);
  w.le<std::uint32_t>(static_cast<std::uint32_t>(image.entry.size()));
  w.bytes(image.entry.data(), image.entry.size());
  w.le<std::uint32_t>(static_cast<std::uint32_t>(image.args.size()));
  for (const codegen::KernelArg& arg : image.args) {
    w.le<std::uint8_t>(static_cast<std::uint8_t>(arg.kind));
    w.le<std::uint32_t>(arg.index);
  }
  w.le<std::uint64_t>(image.binary.size());
  const Digest check = blake3(image.binary);  // drivers do not all validate what they load
  w.bytes(check.data(), check.size());
  w.bytes(image.binary.data(), image.binary.size());
  return std::move(w.out);
}

Result<PipelineImage> decode_pipeline(std::span<const std::uint8_t> bytes) {
  Reader r(bytes);
  std::uint8_t magic[sizeof kMagic];
  if (!r.take(magic, sizeof magic) || std::memcmp(magic, kMagic, sizeof kMagic) != 0) {
    return bad("not an OpenCL pipeline (wrong magic)");
  }
  std::uint32_t version = 0;
  if (!r.le(version)) return bad("truncated header");
  if (version != kPipelineFormatVersion) {
    return bad(
        fmt::format("format version {}, this build reads {}", version, kPipelineFormatVersion));
  }
  PipelineImage image;
  if (!r.take(image.program.data(), image.program.size())) return bad("truncated header");
  for (std::uint32_t& v : image.workgroup) {
    if (!r.le(v)) return bad("truncated header");
  }
  std::uint32_t entry_size = 0;
  if (!r.le(image.ulp_budget) || !r.le(entry_size)) return bad("truncated header");
  if (entry_size > 256 || entry_size > r.left()) return bad("bad kernel entry name length");
  image.entry.resize(entry_size);
  if (!r.take(image.entry.data(), entry_size)) return bad("truncated entry name");
  std::uint32_t arg_count = 0;
  if (!r.le(arg_count)) return bad("truncated header");
  if (arg_count > r.left() / 5) return bad("bad argument count");
  for (std::uint32_t i = 0; i < arg_count; ++i) {
    std::uint8_t kind = 0;
    codegen::KernelArg arg{};
    if (!r.le(kind) || !r.le(arg.index)) return bad("truncated argument list");
    if (kind > codegen::KernelArg::Size) return bad("unknown argument kind");
    arg.kind = static_cast<codegen::KernelArg::Kind>(kind);
    image.args.push_back(arg);
  }
  std::uint64_t binary_size = 0;
  if (!r.le(binary_size)) return bad("truncated header");
  if (binary_size == 0) return bad("empty program binary");
  Digest check{};
  if (!r.take(check.data(), check.size())) return bad("truncated header");
  if (binary_size != r.left()) {
    return bad(fmt::format("binary length {} but {} bytes follow", binary_size, r.left()));
  }
  image.binary.resize(binary_size);
  if (!r.take(image.binary.data(), binary_size)) return bad("truncated binary");
  if (blake3(image.binary) != check) return bad("the program binary's checksum does not match");
  return image;
}

}  // namespace vyre::opencl
