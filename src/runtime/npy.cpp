#include "vyre/runtime/npy.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include <cctype>
#include <cstdio>
#include <cstring>
#include <optional>

#include "vyre/diag/codes.h"

namespace vyre {
namespace {

constexpr std::uint8_t kMagic[6] = {0x93, 'N', 'U', 'M', 'P', 'Y'};
// Refuse headers larger than this: numpy itself caps them far lower.
constexpr std::size_t kMaxHeader = 1 << 20;

Diagnostic bad_npy(std::string_view name, std::string what) {
  return Diagnostic::error(code::BadNpyFile,
                           "`" + std::string(name) + "` is not a usable .npy: " + what,
                           "save it with numpy.save (C order, little-endian, one of float32, "
                           "float64, int32, uint32, int64, uint64, bool)");
}

// Bytes of the header quoted in a message, with control characters (a NUL, say) shown as \xNN
// so that they cannot cut a diagnostic short or garble a terminal.
std::string printable(std::string_view text) {
  std::string out;
  for (char ch : text) {
    const auto byte = static_cast<unsigned char>(ch);
    if (byte < 0x20 || byte == 0x7f) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\x%02x", byte);
      out += escaped;
    } else {
      out += ch;
    }
  }
  return out;
}

// The header is a Python dict literal: {'descr': '<f4', 'fortran_order': False, 'shape': (3,), }
class HeaderParser {
 public:
  explicit HeaderParser(std::string_view text) : text_(text) {}

  struct Header {
    std::string descr;
    bool fortran_order = false;
    std::vector<std::uint64_t> shape;
    bool has_descr = false, has_order = false, has_shape = false;
  };

  std::optional<Header> parse(std::string& error) {
    Header h;
    skip();
    if (!eat('{')) return fail(error, "header is not a dict");
    while (true) {
      skip();
      if (eat('}')) break;
      std::string key;
      if (!string(key)) return fail(error, "expected a quoted key in the header");
      skip();
      if (!eat(':')) return fail(error, "expected ':' after a header key");
      skip();
      if (key == "descr") {
        if (!string(h.descr)) return fail(error, "descr must be a string such as '<f4'");
        h.has_descr = true;
      } else if (key == "fortran_order") {
        if (word("True")) {
          h.fortran_order = true;
        } else if (!word("False")) {
          return fail(error, "fortran_order must be True or False");
        }
        h.has_order = true;
      } else if (key == "shape") {
        if (!shape(h.shape)) return fail(error, "shape must be a tuple of integers");
        h.has_shape = true;
      } else {
        return fail(error, "unknown header key '" + printable(key) + "'");
      }
      skip();
      if (eat(',')) continue;
      skip();
      if (eat('}')) break;
      return fail(error, "expected ',' or '}' in the header");
    }
    if (!h.has_descr || !h.has_order || !h.has_shape) {
      return fail(error, "header lacks descr, fortran_order or shape");
    }
    return h;
  }

 private:
  std::optional<Header> fail(std::string& error, std::string what) {
    error = std::move(what);
    return std::nullopt;
  }
  void skip() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  }
  bool eat(char c) {
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  bool word(std::string_view w) {
    if (text_.substr(pos_, w.size()) != w) return false;
    pos_ += w.size();
    return true;
  }
  bool string(std::string& out) {
    if (pos_ >= text_.size() || (text_[pos_] != '\'' && text_[pos_] != '"')) return false;
    char quote = text_[pos_++];
    std::size_t end = text_.find(quote, pos_);
    if (end == std::string_view::npos) return false;
    out = std::string(text_.substr(pos_, end - pos_));
    pos_ = end + 1;
    return true;
  }
  bool shape(std::vector<std::uint64_t>& out) {
    if (!eat('(')) return false;
    while (true) {
      skip();
      if (eat(')')) return true;
      if (pos_ >= text_.size() || !std::isdigit(static_cast<unsigned char>(text_[pos_]))) {
        return false;
      }
      std::uint64_t v = 0;
      while (pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_]))) {
        std::uint64_t digit = static_cast<std::uint64_t>(text_[pos_++] - '0');
        if (v > (UINT64_MAX - digit) / 10) return false;
        v = v * 10 + digit;
      }
      while (eat('L')) {
      }
      out.push_back(v);
      skip();
      if (eat(',')) continue;
      skip();
      if (eat(')')) return true;
      return false;
    }
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

std::optional<ir::Type> type_of_dtype(std::string_view d) {
  if (d == "<f4") return ir::Type::F32;
  if (d == "<f8") return ir::Type::F64;
  if (d == "<i4") return ir::Type::I32;
  if (d == "<u4") return ir::Type::U32;
  if (d == "<i8") return ir::Type::I64;
  if (d == "<u8") return ir::Type::U64;
  if (d == "|b1") return ir::Type::Bool;
  return std::nullopt;
}

}  // namespace

std::string_view npy_dtype(ir::Type type) {
  switch (type) {
    case ir::Type::F32:
      return "<f4";
    case ir::Type::F64:
      return "<f8";
    case ir::Type::I32:
      return "<i4";
    case ir::Type::U32:
      return "<u4";
    case ir::Type::I64:
      return "<i8";
    case ir::Type::U64:
      return "<u8";
    case ir::Type::Bool:
      return "|b1";
    case ir::Type::Unknown:
      break;
  }
  return "?";
}

Result<NpyArray> parse_npy(std::span<const std::uint8_t> bytes, std::string_view name) {
  if (bytes.size() < 10 || std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0) {
    return bad_npy(name, "missing the \\x93NUMPY magic");
  }
  const unsigned major = bytes[6];
  std::size_t header_len = 0;
  std::size_t offset = 0;
  if (major == 1) {
    header_len = bytes[8] | (std::size_t{bytes[9]} << 8);
    offset = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12) return bad_npy(name, "truncated header");
    header_len = bytes[8] | (std::size_t{bytes[9]} << 8) | (std::size_t{bytes[10]} << 16) |
                 (std::size_t{bytes[11]} << 24);
    offset = 12;
  } else {
    return bad_npy(name, "unsupported format version " + std::to_string(major) + "." +
                             std::to_string(bytes[7]));
  }
  if (header_len > kMaxHeader || header_len > bytes.size() - offset) {
    return bad_npy(name, "header length " + std::to_string(header_len) + " runs past the file");
  }
  std::string_view header(reinterpret_cast<const char*>(bytes.data() + offset), header_len);
  std::string error;
  auto parsed = HeaderParser(header).parse(error);
  if (!parsed) return bad_npy(name, error);
  auto type = type_of_dtype(parsed->descr);
  if (!type) {
    return bad_npy(name, "dtype '" + printable(parsed->descr) +
                             "' is not one of <f4 <f8 <i4 <u4 <i8 <u8 |b1 (big-endian, float16 "
                             "and structured arrays are not supported)");
  }
  std::uint64_t count = 1;
  for (std::uint64_t dim : parsed->shape) {
    if (dim != 0 && count > UINT64_MAX / dim) return bad_npy(name, "shape overflows");
    count *= dim;
  }
  if (parsed->fortran_order && parsed->shape.size() > 1) {
    return bad_npy(name, "Fortran-ordered arrays are not supported");
  }
  const std::size_t data_offset = offset + header_len;
  const std::uint64_t element = ir::size_bytes(*type);
  const std::uint64_t available = bytes.size() - data_offset;
  if (count > available / element || count * element != available) {
    return bad_npy(name, "shape says " + std::to_string(count) + " elements (" +
                             std::to_string(count * element) + " bytes) but the file holds " +
                             std::to_string(available) + " data bytes");
  }
  std::vector<std::uint8_t> data(bytes.begin() + static_cast<std::ptrdiff_t>(data_offset),
                                 bytes.end());
  return NpyArray{HostBuffer(*type, std::move(data)), parsed->shape};
}

std::vector<std::uint8_t> encode_npy(const NpyArray& array) {
  const HostBuffer& buffer = array.buffer;
  std::string dims;
  for (std::uint64_t dim : array.shape) dims += std::to_string(dim) + ", ";
  if (array.shape.empty()) dims = std::to_string(buffer.count()) + ",";
  if (array.shape.size() > 1) dims.resize(dims.size() - 2);  // numpy writes (2, 3) but (3,)
  if (array.shape.size() == 1) dims.pop_back();
  std::string header = "{'descr': '" + std::string(npy_dtype(buffer.element())) +
                       "', 'fortran_order': False, 'shape': (" + dims + "), }";
  // Pad with spaces so that magic + length + header (ending in '\n') is a multiple of 64.
  std::size_t prefix = 10;
  std::size_t total = prefix + header.size() + 1;
  bool v2 = false;
  if ((total + 63) / 64 * 64 - prefix > 65535) {
    v2 = true;
    prefix = 12;
    total = prefix + header.size() + 1;
  }
  header.append((64 - total % 64) % 64, ' ');
  header.push_back('\n');
  std::vector<std::uint8_t> out(std::begin(kMagic), std::end(kMagic));
  out.push_back(v2 ? 2 : 1);
  out.push_back(0);
  const std::size_t len = header.size();
  out.push_back(static_cast<std::uint8_t>(len));
  out.push_back(static_cast<std::uint8_t>(len >> 8));
  if (v2) {
    out.push_back(static_cast<std::uint8_t>(len >> 16));
    out.push_back(static_cast<std::uint8_t>(len >> 24));
  }
  out.insert(out.end(), header.begin(), header.end());
  out.insert(out.end(), buffer.bytes().begin(), buffer.bytes().end());
  return out;
}

Result<std::vector<std::uint8_t>> read_regular_file(const std::string& path,
                                                    std::string_view what_to_name) {
  // O_NONBLOCK: opening a FIFO that has no writer would otherwise wait for one for ever.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    const int error = errno;
    return Diagnostic::error(code::CannotReadFile,
                             "cannot open `" + path + "`: " + std::strerror(error),
                             "check the path and that the file is readable")
        .in(path);
  }
  struct stat st {};
  if (::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
    ::close(fd);
    return Diagnostic::error(code::CannotReadFile, "`" + path + "` is a folder, not a file",
                             "name " + std::string(what_to_name) + " inside it")
        .in(path);
  }
  if (!S_ISREG(st.st_mode)) {
    const char* kind = S_ISFIFO(st.st_mode)   ? "a FIFO (named pipe)"
                       : S_ISCHR(st.st_mode)  ? "a character device"
                       : S_ISBLK(st.st_mode)  ? "a block device"
                       : S_ISSOCK(st.st_mode) ? "a socket"
                                              : "something other than a file";
    ::close(fd);
    return Diagnostic::error(code::NotARegularFile,
                             "`" + path + "` is " + kind + ", not a regular file",
                             "vyre reads only regular files: save the data to a file and name "
                             "that")
        .in(path);
  }
  // Read at most the size fstat gave, plus one byte to notice a file still growing.
  const std::size_t size = static_cast<std::size_t>(st.st_size);
  std::vector<std::uint8_t> bytes(size + 1);
  std::size_t got = 0;
  while (got < bytes.size()) {
    const ssize_t n = ::read(fd, bytes.data() + got, bytes.size() - got);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      const int error = errno;
      ::close(fd);
      return Diagnostic::error(code::CannotReadFile,
                               "failed while reading `" + path + "`: " + std::strerror(error),
                               "check the file and the disk")
          .in(path);
    }
    got += static_cast<std::size_t>(n);
  }
  ::close(fd);
  if (got > size) {
    return Diagnostic::error(code::CannotReadFile, "`" + path + "` grew while it was read",
                             "let whatever writes it finish, then run again")
        .in(path);
  }
  bytes.resize(got);
  return bytes;
}

Result<NpyArray> read_npy_file(const std::string& path) {
  auto bytes = VYRE_TRY(read_regular_file(path, "a .npy file"));
  return parse_npy(bytes, path);
}

Status write_npy_file(const std::string& path, const NpyArray& array) {
  return write_file_bytes(path, encode_npy(array));
}

Status write_file_bytes(const std::string& path, std::span<const std::uint8_t> bytes) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  bool ok = f != nullptr;
  if (ok && !bytes.empty()) ok = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
  if (f != nullptr) ok = std::fclose(f) == 0 && ok;
  if (!ok) {
    return Diagnostic::error(code::CannotWriteFile, "cannot write `" + path + "`",
                             "check that the folder exists and is writable, and the disk has "
                             "room");
  }
  return Ok{};
}

}  // namespace vyre
