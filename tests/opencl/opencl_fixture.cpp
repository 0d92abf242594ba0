#include "opencl_fixture.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <random>

#include "vyre/backends/opencl/backend.h"
#include "vyre/backends/reference.h"
#include "vyre/diag/render.h"
#include "vyre/ir/text.h"

namespace vyre::testing {
namespace {

// PoCL caches built programs under POCL_CACHE_DIR; a fresh folder per test process keeps one
// run's builds from hiding another's. This runs before main, so before the first OpenCL call.
const bool kFreshPoclCache = [] {
  if (std::getenv("VYRE_TEST_KEEP_POCL_CACHE") != nullptr) return false;
  std::string dir = (std::filesystem::temp_directory_path() / "vyre-pocl-cache-XXXXXX").string();
  if (mkdtemp(dir.data()) != nullptr) setenv("POCL_CACHE_DIR", dir.c_str(), 1);
  return true;
}();

struct OpenClState {
  std::once_flag once;
  std::shared_ptr<Backend> backend;
  std::string why;
};

OpenClState& state() {
  static OpenClState s;
  std::call_once(s.once, [] {
    (void)kFreshPoclCache;
    auto backend = opencl::make_opencl_backend();
    if (backend) {
      s.backend = *backend;
    } else {
      s.why = render_human(backend.error());
    }
  });
  return s;
}

std::uint64_t evaluate(const ir::SizeExpr& size, const ir::ProgramData& p,
                       const std::vector<std::uint64_t>& sizes) {
  std::uint64_t value = size.constant;
  for (const std::string& symbol : size.symbols) {
    auto it = std::find(p.size_symbols.begin(), p.size_symbols.end(), symbol);
    value *= sizes[static_cast<std::size_t>(it - p.size_symbols.begin())];
  }
  return value;
}

Scalar random_scalar(ir::Type type, std::mt19937& rng) {
  std::uniform_real_distribution<float> real(-2.0f, 2.0f);
  switch (type) {
    case ir::Type::Bool:
      return Scalar::boolean(rng() % 2 == 0);
    case ir::Type::I32:
      return Scalar::i32(static_cast<std::int32_t>(rng()));
    case ir::Type::U32:
      return Scalar::u32(rng());
    case ir::Type::I64:
      return Scalar::i64(static_cast<std::int64_t>((std::uint64_t{rng()} << 32) | rng()));
    case ir::Type::U64:
      return Scalar::u64((std::uint64_t{rng()} << 32) | rng());
    case ir::Type::F32:
      return Scalar::f32(real(rng));
    case ir::Type::F64:
      return Scalar::f64(real(rng));
    default:
      return Scalar::u32(0);
  }
}

}  // namespace

std::shared_ptr<Backend> opencl_backend() {
  return state().backend;
}
std::string opencl_unavailable_reason() {
  return state().why;
}

std::shared_ptr<Backend> reference_backend() {
  static std::shared_ptr<Backend> backend = make_reference_backend();
  return backend;
}

std::string render(const Diagnostic& diagnostic) {
  return render_human(diagnostic);
}

ir::Program parse(std::string_view text) {
  auto program = ir::parse_program(text);
  if (!program) {
    ADD_FAILURE() << render_human(program.error(), {.source = text});
    std::abort();
  }
  return *program;
}

Bindings make_bindings(const ir::Program& program,
                       const std::map<std::string, std::uint64_t>& sizes, std::uint32_t seed,
                       const std::map<std::string, Scalar>& params) {
  const ir::ProgramData& p = program.data();
  std::mt19937 rng(seed);
  Bindings b;
  for (const std::string& symbol : p.size_symbols) {
    auto it = sizes.find(symbol);
    b.sizes.push_back(it == sizes.end() ? 97 : it->second);
  }
  for (const ir::BufferDecl& decl : p.buffers) {
    std::uint64_t count = evaluate(decl.count, p, b.sizes);
    HostBuffer buffer(decl.element, count);
    if (decl.access != ir::Access::Write) {
      std::uint8_t* data = buffer.data();
      for (std::uint64_t i = 0; i < count; ++i) {
        Scalar s = random_scalar(decl.element, rng);
        std::memcpy(data + i * ir::size_bytes(decl.element), &s.bits, ir::size_bytes(decl.element));
      }
    }
    b.buffers.push_back(std::move(buffer));
  }
  for (const ir::ParamDecl& decl : p.params) {
    auto it = params.find(decl.name);
    b.params.push_back(it != params.end() ? it->second : random_scalar(decl.type, rng));
  }
  return b;
}

LaunchGeometry geometry_for(const ir::Program& program, const Bindings& bindings,
                            const std::array<std::uint32_t, 3>& workgroup) {
  const ir::ProgramData& p = program.data();
  std::array<std::uint64_t, 3> threads{1, 1, 1};
  if (!p.dispatch.empty()) {
    for (std::size_t d = 0; d < p.dispatch.size(); ++d) {
      threads[d] = evaluate(p.dispatch[d], p, bindings.sizes);
    }
  } else {
    for (std::size_t i = 0; i < p.buffers.size(); ++i) {
      if (ir::can_write(p.buffers[i].access)) {
        threads[0] = bindings.buffers[i].count();
        break;
      }
    }
  }
  LaunchGeometry g;
  g.workgroup = workgroup;
  for (int d = 0; d < 3; ++d) g.groups[d] = (threads[d] + workgroup[d] - 1) / workgroup[d];
  return g;
}

Status run(Backend& backend, const ir::Program& program, Bindings& bindings,
           const DispatchConfig& config) {
  auto pipeline = VYRE_TRY(backend.compile(program, config));
  LaunchGeometry geometry = geometry_for(program, bindings, pipeline->workgroup());
  return backend.dispatch(*pipeline, bindings, geometry, config);
}

// Maps float bit patterns onto unsigned integers in value order, so ULP distance is a difference.
std::uint64_t ordered(std::uint64_t bits, std::uint64_t sign) {
  return (bits & sign) != 0 ? ~bits & (sign | (sign - 1)) : bits | sign;
}

std::uint64_t ulp_distance_f32(float a, float b) {
  if (std::isnan(a) && std::isnan(b)) return 0;
  if (std::isnan(a) || std::isnan(b)) return UINT64_MAX;
  std::uint64_t x = ordered(std::bit_cast<std::uint32_t>(a), 0x80000000ULL);
  std::uint64_t y = ordered(std::bit_cast<std::uint32_t>(b), 0x80000000ULL);
  return x > y ? x - y : y - x;
}

std::uint64_t ulp_distance_f64(double a, double b) {
  if (std::isnan(a) && std::isnan(b)) return 0;
  if (std::isnan(a) || std::isnan(b)) return UINT64_MAX;
  std::uint64_t x = ordered(std::bit_cast<std::uint64_t>(a), 0x8000000000000000ULL);
  std::uint64_t y = ordered(std::bit_cast<std::uint64_t>(b), 0x8000000000000000ULL);
  return x > y ? x - y : y - x;
}

std::string compare_buffers(const HostBuffer& expected, const HostBuffer& actual,
                            std::uint64_t ulp) {
  if (expected.element() != actual.element() || expected.size_bytes() != actual.size_bytes()) {
    return "buffers differ in type or size";
  }
  const std::size_t n = expected.count();
  for (std::size_t i = 0; i < n; ++i) {
    if (expected.element() == ir::Type::F32) {
      float e = expected.as<float>()[i];
      float a = actual.as<float>()[i];
      if (ulp_distance_f32(e, a) > ulp) {
        return "element " + std::to_string(i) + ": expected " + std::to_string(e) + " got " +
               std::to_string(a) + " (" + std::to_string(ulp_distance_f32(e, a)) + " ulp)";
      }
    } else if (expected.element() == ir::Type::F64) {
      double e = expected.as<double>()[i];
      double a = actual.as<double>()[i];
      if (ulp_distance_f64(e, a) > ulp) {
        return "element " + std::to_string(i) + ": expected " + std::to_string(e) + " got " +
               std::to_string(a);
      }
    } else {
      const std::size_t w = ir::size_bytes(expected.element());
      if (std::memcmp(expected.data() + i * w, actual.data() + i * w, w) != 0) {
        std::uint64_t e = 0;
        std::uint64_t a = 0;
        std::memcpy(&e, expected.data() + i * w, w);
        std::memcpy(&a, actual.data() + i * w, w);
        return "element " + std::to_string(i) + ": expected bits " + std::to_string(e) + " got " +
               std::to_string(a);
      }
    }
  }
  return "";
}

}  // namespace vyre::testing
