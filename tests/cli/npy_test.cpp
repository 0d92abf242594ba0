// .npy reading and writing in the library (vyre/runtime/npy.h), as embedders and `vyre run` use it.
#include "vyre/runtime/npy.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <random>

#include "vyre/diag/codes.h"

namespace vyre {
namespace {

std::vector<std::uint8_t> npy_bytes(std::string header, std::size_t data_bytes,
                                    unsigned major = 1) {
  std::vector<std::uint8_t> out = {0x93, 'N', 'U', 'M', 'P', 'Y', static_cast<std::uint8_t>(major),
                                   0};
  std::size_t len = header.size();
  out.push_back(static_cast<std::uint8_t>(len));
  out.push_back(static_cast<std::uint8_t>(len >> 8));
  if (major >= 2) {
    out.push_back(static_cast<std::uint8_t>(len >> 16));
    out.push_back(static_cast<std::uint8_t>(len >> 24));
  }
  out.insert(out.end(), header.begin(), header.end());
  for (std::size_t i = 0; i < data_bytes; ++i) out.push_back(static_cast<std::uint8_t>(i));
  return out;
}

TEST(Npy, RoundTripsEveryElementType) {
  for (int t = 0; t < ir::kTypeCount; ++t) {
    auto type = static_cast<ir::Type>(t);
    HostBuffer b(type, std::size_t{37});
    for (std::size_t i = 0; i < b.size_bytes(); ++i) {
      b.data()[i] = type == ir::Type::Bool ? i % 2 : static_cast<std::uint8_t>(i * 7);
    }
    auto bytes = encode_npy({b, {}});
    EXPECT_EQ((bytes[8] | (bytes[9] << 8)) + 10, static_cast<int>(bytes.size() - b.size_bytes()));
    EXPECT_EQ((bytes.size() - b.size_bytes()) % 64, 0u);  // header aligned like numpy's
    auto back = parse_npy(bytes, "t.npy");
    ASSERT_TRUE(back.ok()) << back.error().message;
    EXPECT_EQ(back->buffer.element(), type);
    EXPECT_EQ(back->buffer.bytes(), b.bytes());
    EXPECT_EQ(back->shape, (std::vector<std::uint64_t>{37}));
  }
}

TEST(Npy, ReadsNumpyStyleHeadersOfAnyShapeAndVersion) {
  auto v1 = npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }      \n", 24);
  auto b = parse_npy(v1, "a.npy");
  ASSERT_TRUE(b.ok()) << b.error().message;
  EXPECT_EQ(b->buffer.count(), 6u);
  EXPECT_EQ(b->buffer.element(), ir::Type::F32);
  EXPECT_EQ(b->shape, (std::vector<std::uint64_t>{2, 3}));
  auto v2 = npy_bytes("{\"descr\": \"<i8\", \"fortran_order\": True, \"shape\": (4,)}\n", 32, 2);
  b = parse_npy(v2, "b.npy");
  ASSERT_TRUE(b.ok()) << b.error().message;
  EXPECT_EQ(b->buffer.element(), ir::Type::I64);
  auto scalar = npy_bytes("{'descr': '|b1', 'fortran_order': False, 'shape': (), }\n", 1, 3);
  b = parse_npy(scalar, "c.npy");
  ASSERT_TRUE(b.ok()) << b.error().message;
  EXPECT_EQ(b->buffer.count(), 1u);
  EXPECT_TRUE(b->shape.empty());
}

TEST(Npy, WritesTheShapeItIsGiven) {
  HostBuffer b(ir::Type::U32, std::size_t{6});
  auto bytes = encode_npy({b, {2, 3}});
  const std::string header(bytes.begin() + 10, bytes.begin() + 10 + (bytes[8] | (bytes[9] << 8)));
  EXPECT_NE(header.find("'shape': (2, 3)"), std::string::npos) << header;
  EXPECT_NE(std::string(reinterpret_cast<const char*>(encode_npy({b, {6}}).data()), 80)
                .find("'shape': (6,)"),
            std::string::npos);
  auto back = parse_npy(bytes, "s.npy");
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->shape, (std::vector<std::uint64_t>{2, 3}));
}

TEST(Npy, FilesRoundTripThroughTheLibrary) {
  const auto path =
      std::filesystem::temp_directory_path() / ("vyre_npy_" + std::to_string(::getpid()) + ".npy");
  HostBuffer b = HostBuffer::of(ir::Type::F32, std::vector<float>{1, 2, 3, 4, 5, 6});
  ASSERT_TRUE(write_npy_file(path.string(), {b, {3, 2}}).ok());
  auto back = read_npy_file(path.string());
  std::filesystem::remove(path);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->shape, (std::vector<std::uint64_t>{3, 2}));
  EXPECT_EQ(back->buffer.to_vector<float>(), (std::vector<float>{1, 2, 3, 4, 5, 6}));
}

// A FIFO with no writer would block open() and read() for ever; /dev/zero would never end.
TEST(Npy, FifosAndDevicesAreDiagnosticsNotHangs) {
  const auto fifo = std::filesystem::temp_directory_path() /
                    ("vyre_npy_fifo_" + std::to_string(::getpid()) + ".npy");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  auto r = read_npy_file(fifo.string());
  std::filesystem::remove(fifo);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, code::NotARegularFile);
  EXPECT_NE(r.error().message.find("FIFO"), std::string::npos) << r.error().message;
  auto zero = read_regular_file("/dev/zero");
  ASSERT_FALSE(zero.ok());
  EXPECT_EQ(zero.error().code, code::NotARegularFile);
  EXPECT_NE(zero.error().message.find("character device"), std::string::npos);
  EXPECT_FALSE(zero.error().help.empty());
}

// A NUL inside the header is shown escaped, so it cannot cut the message short.
TEST(Npy, ANulInTheHeaderIsShownEscaped) {
  std::string header = "{'descr': '<u4', 'fortran_order': False, 'shape': (3,), 'x";
  header.push_back('\0');
  header += "y': 1}\n";
  auto r = parse_npy(npy_bytes(header, 12), "nul.npy");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, code::BadNpyFile);
  EXPECT_EQ(r.error().message.find('\0'), std::string::npos);
  EXPECT_NE(r.error().message.find("x\\x00y"), std::string::npos) << r.error().message;
}

TEST(Npy, MalformedFilesAreDiagnostics) {
  const std::string good = "{'descr': '<u4', 'fortran_order': False, 'shape': (3,), }\n";
  struct Case {
    const char* what;
    std::vector<std::uint8_t> bytes;
  };
  std::vector<Case> cases = {
      {"empty", {}},
      {"bad magic", {'N', 'O', 'P', 'E', 0, 0, 1, 0, 0, 0, 0, 0}},
      {"truncated data", npy_bytes(good, 11)},
      {"extra data", npy_bytes(good, 13)},
      {"big endian", npy_bytes("{'descr': '>u4', 'fortran_order': False, 'shape': (3,), }", 12)},
      {"float16", npy_bytes("{'descr': '<f2', 'fortran_order': False, 'shape': (3,), }", 6)},
      {"fortran 2-D", npy_bytes("{'descr': '<u4', 'fortran_order': True, 'shape': (1, 3), }", 12)},
      {"no shape", npy_bytes("{'descr': '<u4', 'fortran_order': False, }", 12)},
      {"bad shape", npy_bytes("{'descr': '<u4', 'fortran_order': False, 'shape': (x,), }", 12)},
      {"huge shape", npy_bytes("{'descr': '<u4', 'fortran_order': False, 'shape': (99999999999999, "
                               "99999999999999), }",
                               12)},
      {"unterminated", npy_bytes("{'descr': '<u4", 0)},
      {"version 9", npy_bytes(good, 12, 9)},
  };
  // The header length pointing past the end of the file.
  auto runaway = npy_bytes(good, 12);
  runaway[8] = 0xFF;
  runaway[9] = 0xFF;
  cases.push_back({"header past end", runaway});
  for (const Case& c : cases) {
    auto r = parse_npy(c.bytes, "bad.npy");
    ASSERT_FALSE(r.ok()) << c.what;
    EXPECT_EQ(r.error().code, code::BadNpyFile) << c.what;
    EXPECT_FALSE(r.error().help.empty());
  }
}

TEST(Npy, RandomBytesNeverCrash) {
  std::mt19937 rng(42);
  const std::string good = "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }\n";
  auto base = npy_bytes(good, 16);
  for (int round = 0; round < 2000; ++round) {
    auto bytes = base;
    int flips = 1 + static_cast<int>(rng() % 4);
    for (int i = 0; i < flips; ++i) bytes[rng() % bytes.size()] = static_cast<std::uint8_t>(rng());
    if (rng() % 3 == 0) bytes.resize(rng() % bytes.size());
    auto r = parse_npy(bytes, "fuzz.npy");
    if (r.ok()) {
      EXPECT_LE(r->buffer.size_bytes(), bytes.size());
    }
  }
}

}  // namespace
}  // namespace vyre
