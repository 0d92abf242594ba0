// Shared by the CUDA test files: the examples to run, deterministic bindings for any program,
// the launch geometry the runtime would derive, and output comparison with the reference
// backend (integers bit-exact, floats within a ULP budget).
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "vyre/backend/backend.h"
#include "vyre/backends/cuda/backend.h"
#include "vyre/diag/render.h"
#include "vyre/ir/text.h"

namespace vyre::cuda::testing {

inline std::vector<std::filesystem::path> example_files() {
  std::vector<std::filesystem::path> files;
  const std::filesystem::path dir = std::filesystem::path(VYRE_SOURCE_DIR) / "examples";
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.path().extension() == ".vy") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

inline std::string example_name(const ::testing::TestParamInfo<std::filesystem::path>& info) {
  std::string name = info.param.stem().string();
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

inline std::string read_text(const std::filesystem::path& path) {
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

inline std::string show(const Diagnostic& diagnostic) {
  return render_human(diagnostic);
}

inline ir::Program parse_or_die(std::string_view text, const std::string& file = "test.vy") {
  ir::CheckOptions options;
  options.file = file;
  auto program = ir::parse_program(text, options);
  if (!program.ok()) {
    ADD_FAILURE() << render_human(program.error(), {.source = text});
    std::abort();
  }
  return *program;
}

// Size symbols: 1000 for one-dimensional programs; 40 each where a count or dispatch multiplies
// symbols (matrices, images), so the reference interpreter stays quick.
inline std::vector<std::uint64_t> choose_sizes(const ir::Program& program) {
  bool products = false;
  for (const auto& buffer : program->buffers) products |= buffer.count.symbols.size() > 1;
  products |= program->dispatch.size() > 1;
  return std::vector<std::uint64_t>(program->size_symbols.size(), products ? 40 : 1000);
}

inline std::uint64_t evaluate(const ir::SizeExpr& size, const ir::Program& program,
                              const std::vector<std::uint64_t>& sizes) {
  std::uint64_t value = size.constant;
  for (const std::string& symbol : size.symbols) {
    const auto& names = program->size_symbols;
    const auto at = std::find(names.begin(), names.end(), symbol) - names.begin();
    value *= sizes.at(static_cast<std::size_t>(at));
  }
  return value;
}

// Deterministic inputs: random read/read_write contents (small integers, floats in [-2, 2]),
// zeroed write buffers, params from a short fixed list.
inline Bindings make_bindings(const ir::Program& program, std::uint32_t seed = 1) {
  std::mt19937_64 random(seed);
  Bindings bindings;
  bindings.sizes = choose_sizes(program);
  for (const auto& decl : program->buffers) {
    const std::uint64_t count = evaluate(decl.count, program, bindings.sizes);
    HostBuffer buffer(decl.element, static_cast<std::size_t>(count));
    if (decl.access != ir::Access::Write) {
      for (std::size_t i = 0; i < count; ++i) {
        std::uint8_t* at = buffer.data() + i * ir::size_bytes(decl.element);
        auto put = [&](auto value) { std::memcpy(at, &value, sizeof(value)); };
        switch (decl.element) {
          case ir::Type::Bool:
            put(static_cast<std::uint8_t>(random() & 1));
            break;
          case ir::Type::I32:
            put(static_cast<std::int32_t>(random() % 1024));
            break;
          case ir::Type::U32:
            put(static_cast<std::uint32_t>(random() % 1024));
            break;
          case ir::Type::I64:
            put(static_cast<std::int64_t>(random() % 1024));
            break;
          case ir::Type::U64:
            put(static_cast<std::uint64_t>(random() % 1024));
            break;
          case ir::Type::F32:
            put(std::uniform_real_distribution<float>(-2.0f, 2.0f)(random));
            break;
          case ir::Type::F64:
            put(std::uniform_real_distribution<double>(-2.0, 2.0)(random));
            break;
          case ir::Type::Unknown:
            break;
        }
      }
    }
    bindings.buffers.push_back(std::move(buffer));
  }
  static constexpr double kFloats[] = {0.5, -0.75, 0.0625, 1.25};
  for (std::size_t i = 0; i < program->params.size(); ++i) {
    switch (program->params[i].type) {
      case ir::Type::Bool:
        bindings.params.push_back(Scalar::boolean(i % 2 == 0));
        break;
      case ir::Type::I32:
        bindings.params.push_back(Scalar::i32(3 + static_cast<int>(i)));
        break;
      case ir::Type::U32:
        bindings.params.push_back(Scalar::u32(3 + static_cast<unsigned>(i)));
        break;
      case ir::Type::I64:
        bindings.params.push_back(Scalar::i64(3 + static_cast<long>(i)));
        break;
      case ir::Type::U64:
        bindings.params.push_back(Scalar::u64(3 + i));
        break;
      case ir::Type::F32:
        bindings.params.push_back(Scalar::f32(static_cast<float>(kFloats[i % 4])));
        break;
      default:
        bindings.params.push_back(Scalar::f64(kFloats[i % 4]));
        break;
    }
  }
  return bindings;
}

// The geometry the runtime derives: dispatch(...) sizes, else the first writable buffer's count.
inline LaunchGeometry make_geometry(const ir::Program& program, const Bindings& bindings,
                                    const std::array<std::uint32_t, 3>& workgroup) {
  std::array<std::uint64_t, 3> threads{1, 1, 1};
  if (!program->dispatch.empty()) {
    for (std::size_t d = 0; d < program->dispatch.size(); ++d) {
      threads[d] = evaluate(program->dispatch[d], program, bindings.sizes);
    }
  } else {
    for (std::size_t i = 0; i < program->buffers.size(); ++i) {
      if (ir::can_write(program->buffers[i].access)) {
        threads[0] = bindings.buffers[i].count();
        break;
      }
    }
  }
  LaunchGeometry geometry;
  geometry.workgroup = workgroup;
  for (int d = 0; d < 3; ++d) {
    geometry.groups[d] = std::max<std::uint64_t>(1, (threads[d] + workgroup[d] - 1) / workgroup[d]);
  }
  return geometry;
}

template <class Float, class Bits>
std::uint64_t ulp_distance(Float a, Float b) {
  auto ordered = [](Float f) {
    const Bits bits = std::bit_cast<Bits>(f);
    const Bits sign = Bits(1) << (sizeof(Bits) * 8 - 1);
    return (bits & sign) ? static_cast<Bits>(sign - (bits & ~sign))
                         : static_cast<Bits>(sign + bits);
  };
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b) ? 0 : UINT64_MAX;
  const Bits x = ordered(a);
  const Bits y = ordered(b);
  return x > y ? x - y : y - x;
}

// Compares every writable buffer: integers and bools bit-exact, floats within `ulp` ULPs.
inline ::testing::AssertionResult outputs_match(const ir::Program& program,
                                                const Bindings& expected, const Bindings& actual,
                                                std::uint32_t ulp) {
  for (std::size_t b = 0; b < program->buffers.size(); ++b) {
    const auto& decl = program->buffers[b];
    if (!ir::can_write(decl.access)) continue;
    const HostBuffer& want = expected.buffers[b];
    const HostBuffer& got = actual.buffers[b];
    if (want.size_bytes() != got.size_bytes()) {
      return ::testing::AssertionFailure() << "buffer " << decl.name << " changed size";
    }
    std::size_t mismatches = 0;
    std::ostringstream first;
    for (std::size_t i = 0; i < want.count(); ++i) {
      bool same = true;
      std::string shown;
      if (decl.element == ir::Type::F32) {
        const float w = want.as<float>()[i];
        const float g = got.as<float>()[i];
        same = ulp_distance<float, std::uint32_t>(w, g) <= ulp;
        shown = std::to_string(w) + " vs " + std::to_string(g);
      } else if (decl.element == ir::Type::F64) {
        const double w = want.as<double>()[i];
        const double g = got.as<double>()[i];
        same = ulp_distance<double, std::uint64_t>(w, g) <= ulp;
        shown = std::to_string(w) + " vs " + std::to_string(g);
      } else {
        const std::size_t size = ir::size_bytes(decl.element);
        same = std::memcmp(want.data() + i * size, got.data() + i * size, size) == 0;
        std::uint64_t w = 0;
        std::uint64_t g = 0;
        std::memcpy(&w, want.data() + i * size, size);
        std::memcpy(&g, got.data() + i * size, size);
        shown = std::to_string(w) + " vs " + std::to_string(g);
      }
      if (!same && mismatches++ == 0) first << decl.name << "[" << i << "]: " << shown;
    }
    if (mismatches != 0) {
      return ::testing::AssertionFailure()
             << mismatches << " of " << want.count() << " elements of `" << decl.name
             << "` differ (expected vs cuda); first " << first.str();
    }
  }
  return ::testing::AssertionSuccess();
}

}  // namespace vyre::cuda::testing
