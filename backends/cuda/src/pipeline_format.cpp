#include "vyre/backends/cuda/pipeline_format.h"

#include <algorithm>
#include <cstring>

#include "vyre/backends/cuda/codes.h"

namespace vyre::cuda {
namespace {

constexpr std::array<std::uint8_t, 8> kMagic = {'V', 'Y', 'R', 'E', 'C', 'U', 'B', 'N'};
// Bounds on header fields, so a corrupt length can never make decode allocate much.
constexpr std::uint32_t kMaxName = 256;
constexpr std::uint32_t kMaxArgs = 4096;
// The cubin starts at a multiple of this offset, so inside a malloc'd buffer it is as aligned as
// an ELF image wants and cuModuleLoadData can read it in place.
constexpr std::size_t kCubinAlignment = 16;

std::size_t padding_before_cubin(std::size_t offset) {
  return (kCubinAlignment - offset % kCubinAlignment) % kCubinAlignment;
}

class Writer {
 public:
  void bytes(std::span<const std::uint8_t> data) {
    out.insert(out.end(), data.begin(), data.end());
  }
  void u8(std::uint8_t v) { out.push_back(v); }
  void u32(std::uint32_t v) {
    for (int i = 0; i < 4; ++i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
  }
  void u64(std::uint64_t v) {
    for (int i = 0; i < 8; ++i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
  }
  void text(std::string_view s) {
    u32(static_cast<std::uint32_t>(s.size()));
    bytes({reinterpret_cast<const std::uint8_t*>(s.data()), s.size()});
  }
  std::vector<std::uint8_t> out;
};

// Reads fields front to back; the first short read sets `failed` and yields zeros.
class Reader {
 public:
  explicit Reader(std::span<const std::uint8_t> data) : data_(data) {}
  std::span<const std::uint8_t> bytes(std::size_t n) {
    if (failed || data_.size() - pos_ < n) {
      failed = true;
      return {};
    }
    auto out = data_.subspan(pos_, n);
    pos_ += n;
    return out;
  }
  std::uint8_t u8() {
    auto b = bytes(1);
    return b.empty() ? 0 : b[0];
  }
  std::uint32_t u32() {
    auto b = bytes(4);
    std::uint32_t v = 0;
    for (std::size_t i = 0; i < b.size(); ++i) v |= static_cast<std::uint32_t>(b[i]) << (8 * i);
    return v;
  }
  std::uint64_t u64() {
    auto b = bytes(8);
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < b.size(); ++i) v |= static_cast<std::uint64_t>(b[i]) << (8 * i);
    return v;
  }
  std::string_view text() {
    const std::uint32_t n = u32();
    if (n > kMaxName) failed = true;
    auto b = bytes(failed ? 0 : n);
    return {reinterpret_cast<const char*>(b.data()), b.size()};
  }
  std::size_t remaining() const { return data_.size() - pos_; }
  std::size_t position() const { return pos_; }
  bool failed = false;

 private:
  std::span<const std::uint8_t> data_;
  std::size_t pos_ = 0;
};

[[gnu::cold]] Diagnostic rejected(std::string why) {
  return Diagnostic::error(code::BadPipelineBytes, "serialized CUDA pipeline rejected: " + why,
                           "the pipeline cache treats this as a miss and recompiles; if it "
                           "repeats, clear the cache entry (vyre cache clear)");
}

}  // namespace

bool is_elf(std::span<const std::uint8_t> bytes) {
  static constexpr std::array<std::uint8_t, 4> kElf = {0x7f, 'E', 'L', 'F'};
  return bytes.size() >= kElf.size() && std::equal(kElf.begin(), kElf.end(), bytes.begin());
}

std::vector<std::uint8_t> encode_cubin_image(const CubinImage& image) {
  Writer w;
  w.bytes(kMagic);
  w.u32(kCubinFormatVersion);
  w.text(image.arch.name());
  w.text(image.entry);
  w.u32(static_cast<std::uint32_t>(image.args.size()));
  for (const codegen::KernelArg& arg : image.args) {
    w.u8(static_cast<std::uint8_t>(arg.kind));
    w.u32(arg.index);
  }
  for (std::uint32_t size : image.workgroup) w.u32(size);
  w.bytes(image.program);
  w.u64(image.cubin.size());
  w.out.resize(w.out.size() + padding_before_cubin(w.out.size()), 0);
  w.bytes(image.cubin);
  return std::move(w.out);
}

Result<CubinImage> decode_cubin_image(std::span<const std::uint8_t> bytes) {
  CubinView view = VYRE_TRY(view_cubin_image(bytes));
  view.image.cubin.assign(view.cubin.begin(), view.cubin.end());
  return std::move(view.image);
}

Result<CubinView> view_cubin_image(std::span<const std::uint8_t> bytes) {
  Reader r(bytes);
  auto magic = r.bytes(kMagic.size());
  if (r.failed || !std::equal(kMagic.begin(), kMagic.end(), magic.begin())) {
    return rejected("not a vyre CUDA pipeline (bad magic)");
  }
  const std::uint32_t version = r.u32();
  if (!r.failed && version != kCubinFormatVersion) {
    return rejected("format version " + std::to_string(version) + ", this build reads " +
                    std::to_string(kCubinFormatVersion));
  }
  CubinImage image;
  const std::string_view arch = r.text();
  image.entry = r.text();
  const std::uint32_t arg_count = r.u32();
  if (arg_count > kMaxArgs) return rejected("implausible argument count");
  if (arg_count <= r.remaining() / 5) image.args.reserve(arg_count);  // 5 bytes per argument
  for (std::uint32_t i = 0; i < arg_count && !r.failed; ++i) {
    const std::uint8_t kind = r.u8();
    const std::uint32_t index = r.u32();
    if (kind > codegen::KernelArg::Size) return rejected("unknown kernel argument kind");
    image.args.push_back({static_cast<codegen::KernelArg::Kind>(kind), index});
  }
  for (std::uint32_t& size : image.workgroup) size = r.u32();
  auto digest = r.bytes(image.program.size());
  if (!r.failed) std::copy(digest.begin(), digest.end(), image.program.begin());
  const std::uint64_t cubin_size = r.u64();
  const auto padding = r.bytes(padding_before_cubin(r.position()));
  if (r.failed) return rejected("truncated header");
  if (std::any_of(padding.begin(), padding.end(), [](std::uint8_t b) { return b != 0; })) {
    return rejected("non-zero padding before the cubin");
  }
  if (cubin_size != r.remaining()) {
    return rejected("cubin length " + std::to_string(cubin_size) + " but " +
                    std::to_string(r.remaining()) + " bytes follow the header");
  }
  const std::span<const std::uint8_t> cubin = r.bytes(cubin_size);
  if (!is_elf(cubin)) return rejected("the payload is not an ELF cubin");
  auto parsed = parse_arch(arch, "the cached pipeline's architecture");
  if (!parsed.ok()) return rejected("unreadable architecture `" + std::string(arch) + "`");
  image.arch = *parsed;
  if (image.entry.empty()) return rejected("empty entry name");
  return CubinView{std::move(image), cubin};
}

}  // namespace vyre::cuda
