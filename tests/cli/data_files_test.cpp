// `vyre run`'s data: .npy shapes in and out, size symbols from shapes (matmul needs no --size),
// --cast, --out NAME=file.png, and inputs that are no regular file (a FIFO, /dev/zero) or hold
// NUL bytes: diagnostics, never a hang.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include <nlohmann/json.hpp>

#include "cli/vyre_binary.h"
#include "vyre/diag/codes.h"
#include "vyre/ir/text.h"
#include "vyre/runtime/npy.h"
#include "vyre/runtime/shapes.h"

namespace vyre::testing {
namespace {

class DataFiles : public CliTest {
 protected:
  std::string save(const std::string& name, const HostBuffer& b, std::vector<std::uint64_t> shape) {
    const std::string path = (dir_ / name).string();
    EXPECT_TRUE(write_npy_file(path, {b, std::move(shape)}).ok());
    return path;
  }
  Output run(const std::string& args) {
    return run_shell("cd " + dir_.string() + " && VYRE_CACHE_DIR=" + (dir_ / "cache").string() +
                     " " + vyre_binary().string() + " " + args + " 2>&1");
  }
};

// The JSON object on stdout, after any progress lines on stderr (the runs merge both).
nlohmann::json json_of(const std::string& out) {
  return nlohmann::json::parse(out.substr(std::min(out.find('{'), out.size())), nullptr, false);
}

std::vector<float> iota(std::size_t n, float scale) {
  std::vector<float> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<float>(i) * scale;
  return v;
}

TEST_F(DataFiles, MatmulTakesItsSizesFromShapesAndWritesItsShape) {
  // a (3, 2) times b (2, 4): m, k and n all come from the shapes.
  auto a = save("a.npy", HostBuffer::of(ir::Type::F32, iota(6, 1)), {3, 2});
  auto b = save("b.npy", HostBuffer::of(ir::Type::F32, iota(8, 0.5f)), {2, 4});
  auto r = run("run " + example_path("matmul") + " --backend reference --in a=" + a +
               " --in b=" + b + " --out c=c.npy --json");
  ASSERT_EQ(r.status, 0) << r.out;
  auto j = nlohmann::json::parse(r.out.substr(r.out.find('{')), nullptr, false);
  EXPECT_EQ(j["sizes"]["m"], 3);
  EXPECT_EQ(j["sizes"]["k"], 2);
  EXPECT_EQ(j["sizes"]["n"], 4);
  EXPECT_EQ(j["outputs"]["c"]["shape"], nlohmann::json::array({3, 4}));
  auto c = read_npy_file((dir_ / "c.npy").string());
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->shape, (std::vector<std::uint64_t>{3, 4}));
  // c[2][3] = a[2][0] * b[0][3] + a[2][1] * b[1][3] = 4 * 1.5 + 5 * 3.5
  EXPECT_EQ(c->buffer.to_vector<float>()[11], 4 * 1.5f + 5 * 3.5f);
}

TEST_F(DataFiles, ContradictoryShapesAreAShapeMismatch) {
  auto a = save("a.npy", HostBuffer::of(ir::Type::F32, iota(6, 1)), {3, 2});
  auto b = save("b.npy", HostBuffer::of(ir::Type::F32, iota(12, 1)), {3, 4});  // k = 3, not 2
  auto r =
      run("run " + example_path("matmul") + " --backend reference --in a=" + a + " --in b=" + b);
  EXPECT_EQ(r.status, 1) << r.out;
  EXPECT_NE(r.out.find("error[VY8205]"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("gives k = 3, but input `a` of shape (3, 2) gives k = 2"), std::string::npos)
      << r.out;
  r = run("run " + example_path("matmul") + " --backend reference --in a=" + a +
          " --in b=b.npy --size m=5");
  EXPECT_NE(r.out.find("but --size m gives m = 5"), std::string::npos) << r.out;
}

TEST_F(DataFiles, SizesFromShapesInTheLibrary) {
  auto program = ir::parse_program(
      "kernel k workgroup(1) {\n  buffer a: read f32[4*m*k]\n  buffer c: write f32[m]\n"
      "  c[0] = a[0]\n}\n",
      {});
  ASSERT_TRUE(program.ok()) << program.error().message;
  auto sizes = sizes_from_shapes(*program, {{"a", {4, 5, 6}}}, {});
  ASSERT_TRUE(sizes.ok()) << sizes.error().message;
  EXPECT_EQ(sizes->at("m"), 5u);
  EXPECT_EQ(sizes->at("k"), 6u);
  auto wrong = sizes_from_shapes(*program, {{"a", {3, 5, 6}}}, {});
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().code, code::ShapeMismatch);
  EXPECT_EQ(declared_shape((*program)->buffers[0].count, *sizes), (Shape{4, 5, 6}));
  EXPECT_EQ(shape_text({7}), "(7,)");
}

TEST_F(DataFiles, CastConvertsOnRequestAndRefusesWhatDoesNotFit) {
  // hash takes u32 keys; an int64 array needs --cast keys.
  auto keys =
      save("keys.npy", HostBuffer::of(ir::Type::I64, std::vector<std::int64_t>{1, 2, 3}), {3});
  auto r = run("run " + example_path("hash") + " --param seed=0 --in keys=" + keys);
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.out.find("error[VY4008]"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("add --cast keys"), std::string::npos) << r.out;
  auto cast = run("run " + example_path("hash") + " --param seed=0 --in keys=" + keys +
                  " --cast keys --json");
  ASSERT_EQ(cast.status, 0) << cast.out;
  auto u32 =
      save("u32.npy", HostBuffer::of(ir::Type::U32, std::vector<std::uint32_t>{1, 2, 3}), {3});
  auto same = run("run " + example_path("hash") + " --param seed=0 --in keys=" + u32 + " --json");
  ASSERT_EQ(same.status, 0) << same.out;
  EXPECT_EQ(json_of(cast.out)["outputs"]["hashes"]["blake3"],
            json_of(same.out)["outputs"]["hashes"]["blake3"]);
  auto negative =
      save("neg.npy", HostBuffer::of(ir::Type::I64, std::vector<std::int64_t>{1, -2}), {2});
  r = run("run " + example_path("hash") + " --param seed=0 --in keys=" + negative + " --cast keys");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.out.find("error[VY8204]: --cast keys: element 1 (-2) does not fit u32"),
            std::string::npos)
      << r.out;
  // Floats round toward zero, as numpy's astype does.
  auto floats =
      save("f.npy", HostBuffer::of(ir::Type::F64, std::vector<double>{1.9, 2.2, 3.0}), {3});
  auto rounded = run("run " + example_path("hash") + " --param seed=0 --in keys=" + floats +
                     " --cast keys --json");
  ASSERT_EQ(rounded.status, 0) << rounded.out;
  EXPECT_EQ(json_of(rounded.out)["outputs"]["hashes"]["blake3"],
            json_of(same.out)["outputs"]["hashes"]["blake3"]);
  r = run("run " + example_path("hash") + " --param seed=0 --in keys=" + u32 + " --cast nosuch");
  EXPECT_NE(r.out.find("error[VY4"), std::string::npos) << r.out;
}

// Reads a PNG's width and height from its IHDR chunk.
std::pair<std::uint32_t, std::uint32_t> png_size(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<unsigned char> head(24);
  in.read(reinterpret_cast<char*>(head.data()), 24);
  auto be = [&](int at) {
    return (std::uint32_t{head[at]} << 24) | (std::uint32_t{head[at + 1]} << 16) |
           (std::uint32_t{head[at + 2]} << 8) | head[at + 3];
  };
  EXPECT_EQ(std::string(head.begin() + 1, head.begin() + 4), "PNG");
  EXPECT_EQ(std::string(head.begin() + 12, head.begin() + 16), "IHDR");
  return {be(16), be(20)};
}

TEST_F(DataFiles, MandelbrotComesBackAsAnImageAndAnHByWArray) {
  auto r = run("run " + example_path("mandelbrot") +
               " --backend reference --param x0=-2.2 --param y0=-1.2 --param scale=0.02"
               " --size w=160 --size h=120 --out counts=m.png");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("output counts: u32[120, 160]"), std::string::npos) << r.out;
  auto [width, height] = png_size(dir_ / "m.png");
  EXPECT_EQ(width, 160u);
  EXPECT_EQ(height, 120u);
  r = run("run " + example_path("mandelbrot") +
          " --backend reference --param x0=-2.2 --param y0=-1.2 --param scale=0.02"
          " --size w=160 --size h=120 --out counts=m.npy");
  ASSERT_EQ(r.status, 0) << r.out;
  auto counts = read_npy_file((dir_ / "m.npy").string());
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->shape, (std::vector<std::uint64_t>{120, 160}));
  // A 1-D output is no image.
  r = run("run " + example_path("saxpy") + " --param a=1 --in x=range:4 --out y=y.png");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.out.find("error[VY8206]"), std::string::npos) << r.out;
  EXPECT_FALSE(fs::exists(dir_ / "y.png"));
}

TEST_F(DataFiles, FifoAndDevZeroAreDiagnosticsNotHangs) {
  const fs::path fifo = dir_ / "pipe.npy";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  // `timeout` turns a hang into exit 124 instead of a stuck test.
  auto r = run_shell("timeout 20 " + vyre_binary().string() + " run " + example_path("hash") +
                     " --param seed=0 --in keys=" + fifo.string() + " 2>&1");
  EXPECT_EQ(r.status, 1) << r.out;
  EXPECT_NE(r.out.find("error[VY8203]: `" + fifo.string() + "` is a FIFO"), std::string::npos)
      << r.out;
  r = run_shell("timeout 20 " + vyre_binary().string() + " run " + example_path("hash") +
                " --param seed=0 --in keys=/dev/zero 2>&1");
  EXPECT_EQ(r.status, 1) << r.out;
  EXPECT_NE(r.out.find("error[VY8203]: `/dev/zero` is a character device"), std::string::npos)
      << r.out;
  for (const std::string& kernel : {fifo.string(), std::string("/dev/zero")}) {
    r = run_shell("timeout 20 " + vyre_binary().string() + " check " + kernel + " 2>&1");
    EXPECT_EQ(r.status, 1) << r.out;
    EXPECT_NE(r.out.find("error[VY8203]"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("help: "), std::string::npos) << r.out;
  }
}

TEST_F(DataFiles, NulBytesDoNotCutTheDiagnosticShort) {
  const fs::path kernel = dir_ / "nul.vy";
  {
    std::ofstream out(kernel, std::ios::binary);
    out << "kernel k workgroup(1) {\n  buffer x: write u32[4]\n  x[0] = 1u";
    out.put('\0');
    out << " + 2u\n}\n";
  }
  auto r = run_vyre("check " + kernel.string(), true);
  EXPECT_EQ(r.status, 1) << r.out;
  EXPECT_NE(r.out.find("error[VY"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("help: "), std::string::npos) << "the help line after the NUL is lost:\n"
                                                     << r.out;
  EXPECT_EQ(r.out.find('\0'), std::string::npos);

  const fs::path npy = dir_ / "nul.npy";
  {
    std::string header = "{'descr': '<u4', 'fortran_order': False, 'shape': (3,), 'a";
    header.push_back('\0');
    header += "b': 1}\n";
    std::vector<char> bytes = {
        '\x93', 'N', 'U', 'M', 'P', 'Y', 1, 0, static_cast<char>(header.size()), 0};
    bytes.insert(bytes.end(), header.begin(), header.end());
    bytes.resize(bytes.size() + 12);
    std::ofstream(npy, std::ios::binary).write(bytes.data(), static_cast<long>(bytes.size()));
  }
  r = run_vyre("run " + example_path("hash") + " --param seed=0 --in keys=" + npy.string(), true);
  EXPECT_EQ(r.status, 1) << r.out;
  EXPECT_NE(r.out.find("unknown header key 'a\\x00b'"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("help: save it with numpy.save"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace vyre::testing
