// `vyre run FILE`: runs a kernel on a backend and summarises (or saves) its outputs.
//   vyre run saxpy.vy --param a=2.5 --in x=range:1000000 --in y=fill:1 --out y=y.npy
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <limits>
#include <map>
#include <thread>

#include <nlohmann/json.hpp>

#include "command.h"
#include "data_file.h"
#include "element_cast.h"
#include "iterate.h"
#include "progress_line.h"
#include "source_file.h"
#include "vyre/backends/builtin.h"
#include "vyre/diag/codes.h"
#include "vyre/ir/hash.h"
#include "vyre/ir/loop_status.h"
#include "vyre/ir/text.h"
#include "vyre/runtime/runtime.h"
#include "vyre/runtime/shapes.h"

namespace vyre::cli {
namespace {

struct RunArgs {
  std::string file;
  std::string backend = "auto";
  std::vector<std::string> params, inputs, outputs, sizes, casts;
  // A hung kernel ends the process at this deadline rather than holding it for ever.
  std::uint32_t timeout_ms = 60000;
  std::uint32_t repeat = 1;
  bool json = false;
  std::uint32_t iterations = 0;  // --iterations: resident dispatches (iterate.h); 0 = a plain run
  std::string swap;              // --swap A,B
};

Diagnostic bad_argument(std::string what, std::string help) {
  return Diagnostic::error(code::BadRunArgument, std::move(what), std::move(help));
}

// "name=value" -> (name, value)
Result<std::pair<std::string, std::string>> split_assignment(const std::string& arg,
                                                             std::string_view flag) {
  auto eq = arg.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == arg.size()) {
    return bad_argument(std::string(flag) + " `" + arg + "` is not NAME=VALUE",
                        "write it as " + std::string(flag) + " name=value");
  }
  return std::pair{arg.substr(0, eq), arg.substr(eq + 1)};
}

// Parses `text` as a value of `type` (integers in decimal or 0x hex; floats as strtod reads).
Result<Scalar> parse_scalar(const std::string& text, ir::Type type, const std::string& what) {
  auto fail = [&] {
    return bad_argument(
        what + ": `" + text + "` is not a valid " + std::string(ir::type_name(type)),
        "give a " + std::string(ir::type_name(type)) + " value, e.g. " +
            (ir::is_float(type)       ? "2.5"
             : type == ir::Type::Bool ? "true"
                                      : "42"));
  };
  const char* begin = text.c_str();
  char* end = nullptr;
  errno = 0;
  switch (type) {
    case ir::Type::Bool:
      if (text == "true" || text == "1") return Scalar::boolean(true);
      if (text == "false" || text == "0") return Scalar::boolean(false);
      return fail();
    case ir::Type::F32: {
      float v = std::strtof(begin, &end);
      if (end == begin || *end != '\0') return fail();
      return Scalar::f32(v);
    }
    case ir::Type::F64: {
      double v = std::strtod(begin, &end);
      if (end == begin || *end != '\0') return fail();
      return Scalar::f64(v);
    }
    case ir::Type::I32:
    case ir::Type::I64: {
      long long v = std::strtoll(begin, &end, 0);
      if (end == begin || *end != '\0' || errno == ERANGE) return fail();
      if (type == ir::Type::I32) {
        if (v < INT32_MIN || v > INT32_MAX) return fail();
        return Scalar::i32(static_cast<std::int32_t>(v));
      }
      return Scalar::i64(v);
    }
    case ir::Type::U32:
    case ir::Type::U64: {
      if (text.find('-') != std::string::npos) return fail();
      unsigned long long v = std::strtoull(begin, &end, 0);
      if (end == begin || *end != '\0' || errno == ERANGE) return fail();
      if (type == ir::Type::U32) {
        if (v > UINT32_MAX) return fail();
        return Scalar::u32(static_cast<std::uint32_t>(v));
      }
      return Scalar::u64(v);
    }
    case ir::Type::Unknown:
      break;
  }
  return fail();
}

// `count` elements, each `value` (as a bit pattern of the element type).
HostBuffer filled(ir::Type type, std::uint64_t count, std::uint64_t bits) {
  HostBuffer b(type, static_cast<std::size_t>(count));
  const unsigned size = ir::size_bytes(type);
  for (std::uint64_t i = 0; i < count; ++i) std::memcpy(b.data() + i * size, &bits, size);
  return b;
}

// 0, 1, 2, ... N-1 converted to the element type (bool: alternating false, true).
HostBuffer ranged(ir::Type type, std::uint64_t count) {
  HostBuffer b(type, static_cast<std::size_t>(count));
  const unsigned size = ir::size_bytes(type);
  for (std::uint64_t i = 0; i < count; ++i) {
    std::uint64_t bits = i;
    if (type == ir::Type::F32) bits = std::bit_cast<std::uint32_t>(static_cast<float>(i));
    if (type == ir::Type::F64) bits = std::bit_cast<std::uint64_t>(static_cast<double>(i));
    if (type == ir::Type::Bool) bits = i & 1;
    std::memcpy(b.data() + i * size, &bits, size);
  }
  return b;
}

const ir::BufferDecl* find_buffer(const ir::ProgramData& p, const std::string& name) {
  for (const auto& b : p.buffers) {
    if (b.name == name && !ir::is_loop_status_buffer(b)) return &b;
  }
  return nullptr;
}

Diagnostic unknown_name(const ir::ProgramData& p, const std::string& name, std::string_view what) {
  std::string known;
  for (const auto& b : p.buffers) {
    if (!ir::is_loop_status_buffer(b)) known += (known.empty() ? "" : ", ") + b.name;
  }
  for (const auto& param : p.params) known += (known.empty() ? "" : ", ") + param.name + " (param)";
  return Diagnostic::error(code::UnknownInput,
                           std::string(what) + " `" + name + "`: kernel `" + p.name +
                               "` declares no such " + (what == "--param" ? "param" : "buffer"),
                           "the kernel declares: " + (known.empty() ? "nothing" : known));
}

struct Prepared {
  RunInputs inputs;
  DispatchConfig config;
  std::map<std::string, std::string> out_paths;
};

bool wants_cast(const RunArgs& args, const std::string& name) {
  return std::find(args.casts.begin(), args.casts.end(), name) != args.casts.end();
}

Result<Prepared> prepare(const RunArgs& args, const ir::Program& program) {
  const ir::ProgramData& p = *program;
  Prepared prep;
  prep.config.label = args.file;
  if (args.backend != "auto") prep.config.allowed_backends = {args.backend};
  std::map<std::string, std::uint64_t> sizes;
  for (const auto& arg : args.sizes) {
    auto [name, value] = VYRE_TRY(split_assignment(arg, "--size"));
    auto scalar = parse_scalar(value, ir::Type::U64, "--size " + name);
    if (!scalar.ok()) return scalar.error();
    sizes[name] = scalar->bits;
  }
  for (const auto& name : args.casts) {
    if (find_buffer(p, name) == nullptr) return unknown_name(p, name, "--cast");
  }
  for (const auto& arg : args.params) {
    auto [name, value] = VYRE_TRY(split_assignment(arg, "--param"));
    const ir::ParamDecl* decl = nullptr;
    for (const auto& param : p.params) {
      if (param.name == name) decl = &param;
    }
    if (decl == nullptr) return unknown_name(p, name, "--param");
    prep.inputs.params[name] = VYRE_TRY(parse_scalar(value, decl->type, "--param " + name));
  }
  std::vector<std::pair<const ir::BufferDecl*, Scalar>> fills;
  std::map<std::string, Shape> shapes;
  for (const auto& arg : args.inputs) {
    auto [name, spec] = VYRE_TRY(split_assignment(arg, "--in"));
    const ir::BufferDecl* decl = find_buffer(p, name);
    if (decl == nullptr) return unknown_name(p, name, "--in");
    if (spec.rfind("fill:", 0) == 0) {
      // The value is checked now; the length comes once the sizes are known (below).
      fills.emplace_back(
          decl, VYRE_TRY(parse_scalar(spec.substr(5), decl->element, "--in " + name + "=fill")));
    } else if (spec.rfind("range:", 0) == 0) {
      auto n = VYRE_TRY(parse_scalar(spec.substr(6), ir::Type::U64, "--in " + name + "=range"));
      if (n.bits > std::numeric_limits<std::uint32_t>::max()) {
        return bad_argument(
            "--in " + name + "=range:" + spec.substr(6) + ": a buffer holds at most " +
                std::to_string(std::numeric_limits<std::uint32_t>::max()) + " elements",
            "kernels index buffers with u32 lengths; give a smaller N");
      }
      prep.inputs.buffers[name] = ranged(decl->element, n.bits);
    } else {
      NpyArray array = VYRE_TRY(read_data_file(spec, decl->element));
      if (array.buffer.element() != decl->element) {
        if (!wants_cast(args, name)) {
          return Diagnostic::error(code::InputTypeMismatch,
                                   "--in " + name + ": `" + spec + "` holds " +
                                       std::string(ir::type_name(array.buffer.element())) +
                                       " but buffer `" + name + "` is declared " +
                                       std::string(ir::type_name(decl->element)),
                                   "add --cast " + name + " to convert it, or save the array as " +
                                       std::string(npy_dtype(decl->element)));
        }
        array.buffer = VYRE_TRY(cast_elements(array.buffer, decl->element, name));
      }
      shapes[name] = array.shape;
      prep.inputs.buffers[name] = std::move(array.buffer);
    }
  }
  // Inputs of two or more dimensions bind the symbols of their buffer's count (a.npy (m, k)).
  sizes = VYRE_TRY(sizes_from_shapes(program, shapes, sizes));
  if (!fills.empty()) {
    // fill:V takes its length from the declared count, so resolve the sizes known so far.
    auto known = VYRE_TRY(infer_sizes(program, prep.inputs.buffers, sizes));
    for (const auto& [decl, scalar] : fills) {
      auto count = VYRE_TRY(element_count(decl->count, known, "buffer `" + decl->name + "`"));
      prep.inputs.buffers[decl->name] = filled(decl->element, count, scalar.bits);
    }
  }
  prep.config.sizes = std::move(sizes);
  for (const auto& arg : args.outputs) {
    auto [name, path] = VYRE_TRY(split_assignment(arg, "--out"));
    const ir::BufferDecl* decl = find_buffer(p, name);
    if (decl == nullptr) return unknown_name(p, name, "--out");
    // With --swap a read-only buffer is an output too: it holds the newest state (iterate.h).
    const bool swapped =
        !args.swap.empty() && ("," + args.swap + ",").find("," + name + ",") != std::string::npos;
    if (!ir::can_write(decl->access) && !swapped) {
      return bad_argument("--out " + name + ": buffer `" + name +
                              "` is read-only, so it is no "
                              "output",
                          "outputs are the buffers declared write or read_write");
    }
    if (is_png_path(path) && decl->count.symbols.size() + (decl->count.constant != 1) != 2) {
      return Diagnostic::error(code::CannotWriteImage,
                               "--out " + name + "=" + path + ": buffer `" + name +
                                   "` is declared " + ir::to_string(decl->count) +
                                   ", not two dimensions",
                               "an image needs a count of rows times columns, such as u32[h*w]; "
                               "write .npy instead");
    }
    prep.out_paths[name] = path;
  }
  return prep;
}

// An output with the shape its declared count gives under the run's sizes.
NpyArray shaped_output(const ir::Program& program, const std::string& name,
                       const HostBuffer& buffer,
                       const std::map<std::string, std::uint64_t>& sizes) {
  Shape shape;
  if (const ir::BufferDecl* decl = find_buffer(*program, name)) {
    shape = declared_shape(decl->count, sizes);
  }
  std::uint64_t product = 1;
  for (std::uint64_t dim : shape) product *= dim;
  if (shape.empty() || product != buffer.count()) shape = {buffer.count()};
  return {buffer, std::move(shape)};
}

std::string format_value(const HostBuffer& b, std::size_t i) {
  char text[48];
  const std::uint8_t* at = b.data() + i * ir::size_bytes(b.element());
  auto load = [&](auto v) {
    std::memcpy(&v, at, sizeof v);
    return v;
  };
  switch (b.element()) {
    case ir::Type::Bool:
      return *at != 0 ? "true" : "false";
    case ir::Type::I32:
      std::snprintf(text, sizeof text, "%" PRId32, load(std::int32_t{}));
      break;
    case ir::Type::U32:
      std::snprintf(text, sizeof text, "%" PRIu32, load(std::uint32_t{}));
      break;
    case ir::Type::I64:
      std::snprintf(text, sizeof text, "%" PRId64, load(std::int64_t{}));
      break;
    case ir::Type::U64:
      std::snprintf(text, sizeof text, "%" PRIu64, load(std::uint64_t{}));
      break;
    case ir::Type::F32:
      std::snprintf(text, sizeof text, "%.9g", static_cast<double>(load(float{})));
      break;
    case ir::Type::F64:
      std::snprintf(text, sizeof text, "%.17g", load(double{}));
      break;
    case ir::Type::Unknown:
      return "?";
  }
  return text;
}

nlohmann::json json_value(const HostBuffer& b, std::size_t i) {
  const std::uint8_t* at = b.data() + i * ir::size_bytes(b.element());
  auto load = [&](auto v) {
    std::memcpy(&v, at, sizeof v);
    return v;
  };
  switch (b.element()) {
    case ir::Type::Bool:
      return *at != 0;
    case ir::Type::I32:
      return load(std::int32_t{});
    case ir::Type::U32:
      return load(std::uint32_t{});
    case ir::Type::I64:
      return load(std::int64_t{});
    case ir::Type::U64:
      return load(std::uint64_t{});
    case ir::Type::F32:
      return static_cast<double>(load(float{}));
    case ir::Type::F64:
      return load(double{});
    case ir::Type::Unknown:
      break;
  }
  return nullptr;
}

// The first 64 bits of the BLAKE3 digest of the output's bytes, as hex.
std::string checksum(const HostBuffer& b) {
  return to_hex(blake3(std::span<const std::uint8_t>(b.data(), b.size_bytes()))).substr(0, 16);
}

constexpr std::size_t kShownValues = 8;

std::string dims_text(const Shape& shape) {
  std::string out;
  for (std::uint64_t dim : shape) out += (out.empty() ? "" : ", ") + std::to_string(dim);
  return out;
}

void print_human(const ir::Program& program, const RunResult& result,
                 const std::map<std::string, std::string>& written) {
  const RunReport& r = result.report;
  std::printf("kernel %s on %s (%s)\n", r.program.c_str(), r.backend.c_str(),
              r.backend_why.c_str());
  for (const auto& s : r.skipped) std::printf("  skipped %s: %s\n", s.id.c_str(), s.reason.c_str());
  std::printf("pipeline: %s\n", r.cache_outcome.c_str());
  if (!r.sizes.empty()) {
    std::string sizes;
    for (const auto& [k, v] : r.sizes)
      sizes += (sizes.empty() ? "" : " ") + k + "=" + std::to_string(v);
    std::printf("sizes: %s\n", sizes.c_str());
  }
  const auto& g = r.geometry;
  std::printf("grid: %" PRIu64 "x%" PRIu64 "x%" PRIu64 " workgroups of %ux%ux%u (%" PRIu64
              " invocations)\n",
              g.groups[0], g.groups[1], g.groups[2], g.workgroup[0], g.workgroup[1], g.workgroup[2],
              g.invocations());
  const auto& t = r.timings;
  std::printf(
      "time: route %.3f ms, validate %.3f ms, pipeline %.3f ms, dispatch %.3f ms, "
      "read back %.3f ms, total %.3f ms\n",
      t.route_ms, t.validate_ms, t.obtain_ms, t.dispatch_ms, t.readback_ms, t.total_ms);
  if (t.steps_measured) {
    std::printf(
        "time by step: start-up %.3f ms, routing %.3f ms, allocation %.3f ms, upload %.3f ms, "
        "kernel %.3f ms, download %.3f ms, unattributed %.3f ms\n",
        t.startup_ms, t.routing_ms, t.allocation_ms, t.upload_ms, t.kernel_ms, t.download_ms,
        t.unattributed_ms);
  } else {
    // One backend dispatch allocated, uploaded, ran and read back: not measured apart.
    std::printf(
        "time by step: start-up %.3f ms, routing %.3f ms; allocation, upload, kernel and "
        "download are one dispatch (%.3f ms; --iterations measures them apart)\n",
        t.startup_ms, t.routing_ms, t.dispatch_ms + t.readback_ms);
  }
  for (const auto& [name, buffer] : result.outputs) {
    std::string values;
    std::size_t shown = std::min(buffer.count(), kShownValues);
    for (std::size_t i = 0; i < shown; ++i) values += (i ? ", " : "") + format_value(buffer, i);
    if (buffer.count() > shown) values += ", ...";
    const Shape shape = shaped_output(program, name, buffer, r.sizes).shape;
    std::printf("output %s: %s[%s] = [%s]  blake3 %s", name.c_str(),
                std::string(ir::type_name(buffer.element())).c_str(), dims_text(shape).c_str(),
                values.c_str(), checksum(buffer).c_str());
    if (auto w = written.find(name); w != written.end()) std::printf("  -> %s", w->second.c_str());
    std::printf("\n");
  }
}

nlohmann::json cache_json(const RunReport& r) {
  if (!r.cache) return nullptr;
  const pipeline::CacheOutcome& c = *r.cache;
  return {{"tier", pipeline::cache_tier_name(c.tier)},
          {"miss_reason", c.miss ? nlohmann::json(pipeline::metric_name(*c.miss)) : nullptr},
          {"miss_explanation", c.miss_explanation},
          {"key", to_hex(c.key)},
          {"lookup_ms", c.lookup_ms},
          {"load_ms", c.load_ms},
          {"compile_ms", c.compile_ms}};
}

nlohmann::json run_json(const ir::Program& program, const RunResult& result,
                        const std::string& file,
                        const std::map<std::string, std::string>& written) {
  const RunReport& r = result.report;
  const auto& t = r.timings;
  auto measured = [&](double ms) { return t.steps_measured ? nlohmann::json(ms) : nullptr; };
  nlohmann::json skipped = nlohmann::json::array();
  for (const auto& s : r.skipped) skipped.push_back({{"id", s.id}, {"reason", s.reason}});
  nlohmann::json outputs = nlohmann::json::object();
  for (const auto& [name, buffer] : result.outputs) {
    nlohmann::json first = nlohmann::json::array();
    for (std::size_t i = 0; i < std::min(buffer.count(), kShownValues); ++i) {
      first.push_back(json_value(buffer, i));
    }
    nlohmann::json o = {{"type", ir::type_name(buffer.element())},
                        {"count", buffer.count()},
                        {"shape", shaped_output(program, name, buffer, r.sizes).shape},
                        {"first", first},
                        {"blake3", checksum(buffer)}};
    if (auto w = written.find(name); w != written.end()) o["file"] = w->second;
    outputs[name] = o;
  }
  const auto& g = r.geometry;
  return {{"file", file},
          {"kernel", r.program},
          {"backend", {{"id", r.backend}, {"why", r.backend_why}, {"skipped", skipped}}},
          {"pipeline", r.cache_outcome},
          {"cache", cache_json(r)},
          {"sizes", r.sizes},
          {"geometry",
           {{"workgroup", g.workgroup}, {"groups", g.groups}, {"invocations", g.invocations()}}},
          {"timings_ms",
           {{"route", t.route_ms},
            {"validate", t.validate_ms},
            {"pipeline", t.obtain_ms},
            {"dispatch", t.dispatch_ms},
            {"readback", t.readback_ms},
            {"total", t.total_ms},
            {"startup", t.startup_ms},
            {"routing", t.routing_ms},
            // null: done inside one dispatch, not measured apart (RunTimings::steps_measured)
            {"allocation", measured(t.allocation_ms)},
            {"upload", measured(t.upload_ms)},
            {"kernel", measured(t.kernel_ms)},
            {"download", measured(t.download_ms)},
            {"unattributed", t.unattributed_ms}}},
          {"outputs", outputs}};
}

// What --repeat N ends with: how the pipeline was served, and the spread of the run times.
struct RepeatSummary {
  std::vector<double> total_ms, dispatch_ms, pipeline_ms;
  std::map<std::string, std::uint32_t> tiers;  // "memory", "disk", "compiled" -> runs
  std::map<std::string, std::string> first_checksums;
  bool outputs_identical = true;

  void add(const RunResult& result) {
    const RunReport& r = result.report;
    total_ms.push_back(r.timings.total_ms);
    dispatch_ms.push_back(r.timings.dispatch_ms);
    pipeline_ms.push_back(r.timings.obtain_ms);
    ++tiers[r.cache ? std::string(pipeline::cache_tier_name(r.cache->tier)) : "uncached"];
    for (const auto& [name, buffer] : result.outputs) {
      auto [at, fresh] = first_checksums.emplace(name, checksum(buffer));
      if (!fresh && at->second != checksum(buffer)) outputs_identical = false;
    }
  }
};

// Nearest-rank percentile.
double percentile(std::vector<double> values, double fraction) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  auto rank = static_cast<std::size_t>(std::ceil(fraction * static_cast<double>(values.size())));
  return values[std::clamp<std::size_t>(rank, 1, values.size()) - 1];
}

nlohmann::json summary_json(const RepeatSummary& s) {
  auto spread = [](const std::vector<double>& v) {
    return nlohmann::json{
        {"median", percentile(v, 0.5)}, {"p90", percentile(v, 0.9)}, {"min", percentile(v, 0)}};
  };
  return {{"runs", s.total_ms.size()},
          {"pipeline_tiers", s.tiers},
          {"total_ms", spread(s.total_ms)},
          {"dispatch_ms", spread(s.dispatch_ms)},
          {"pipeline_ms", spread(s.pipeline_ms)},
          {"outputs_identical", s.outputs_identical}};
}

void print_summary(const RepeatSummary& s) {
  std::string tiers;
  for (const auto& [tier, n] : s.tiers) {
    tiers += (tiers.empty() ? "" : ", ") + std::to_string(n) + " " + tier;
  }
  std::printf("repeat: %zu runs in this process; pipeline: %s\n", s.total_ms.size(), tiers.c_str());
  std::printf("  total    median %.3f ms, p90 %.3f ms, min %.3f ms\n", percentile(s.total_ms, 0.5),
              percentile(s.total_ms, 0.9), percentile(s.total_ms, 0));
  std::printf("  dispatch median %.3f ms, p90 %.3f ms\n", percentile(s.dispatch_ms, 0.5),
              percentile(s.dispatch_ms, 0.9));
  std::printf("  pipeline median %.3f ms, p90 %.3f ms\n", percentile(s.pipeline_ms, 0.5),
              percentile(s.pipeline_ms, 0.9));
  std::printf("  outputs: %s\n",
              s.outputs_identical ? "identical in every run" : "DIFFERED between runs");
}

// Ends the process now with `diagnostic`: a kernel past its deadline may never finish, and the
// run handle's destructor would wait for it, so nothing is unwound (the device is released by
// the process's exit).
[[noreturn]] void exit_at_deadline(const Diagnostic& diagnostic, const std::string& source,
                                   bool json) {
  print_diagnostic(diagnostic, source, json);
  std::fflush(stdout);
  std::fflush(stderr);
  ::_exit(1);
}

Diagnostic deadline_passed(const RunArgs& args, const RunReport& report, const char* what) {
  return Diagnostic::error(
      code::DispatchTimeout,
      "`" + report.program + "` " + what + " on " +
          (report.backend.empty() ? std::string("its backend") : report.backend) +
          " after --timeout-ms " + std::to_string(args.timeout_ms) + " ms; vyre stopped it",
      "raise --timeout-ms (0 waits for ever), or look for a loop that does "
      "not end (a while loop's `max` cap bounds it)");
}

// Starts the run on a worker thread, so that a compile longer than a second shows a progress
// line, then waits for the dispatch until the deadline.
Result<RunResult> run_once(Runtime& runtime, const ir::Program& program, Prepared prepared,
                           const RunArgs& args, const std::string& source,
                           const std::string& backend_guess) {
  using namespace std::chrono;
  const auto start = steady_clock::now();
  auto elapsed = [&] { return duration<double>(steady_clock::now() - start).count(); };
  std::promise<RunHandle> started;
  std::future<RunHandle> handle_future = started.get_future();
  std::thread starter([&runtime, &program, &started, inputs = std::move(prepared.inputs),
                       config = prepared.config]() mutable {
    started.set_value(runtime.run_async(program, std::move(inputs), config));
  });
  ProgressLine progress;
  while (handle_future.wait_for(seconds(1)) != std::future_status::ready) {
    progress.show("vyre: compiling `" + program->name + "` for " + backend_guess + " ... " +
                  duration_text(elapsed()));
  }
  starter.join();
  RunHandle handle = handle_future.get();
  const auto dispatch_start = steady_clock::now();
  const auto deadline = dispatch_start + milliseconds(args.timeout_ms);
  while (true) {
    auto step = nanoseconds(seconds(1));
    if (args.timeout_ms != 0) {
      step = std::min<nanoseconds>(step, deadline - steady_clock::now());
      if (step <= nanoseconds(0)) {
        progress.finish();
        exit_at_deadline(deadline_passed(args, handle.report(), "was still running"), source,
                         args.json);
      }
    }
    Status s = handle.wait(step);
    if (s.ok() || s.error().code != code::DispatchTimeout) break;
    progress.show("vyre: running `" + program->name + "` on " + handle.report().backend + " ... " +
                  duration_text(duration<double>(steady_clock::now() - dispatch_start).count()) +
                  (args.timeout_ms != 0
                       ? " (stops at --timeout-ms " + std::to_string(args.timeout_ms) + ")"
                       : ""));
  }
  progress.finish();
  return handle.get();
}

int run_command(const RunArgs& args) {
  auto text = read_text_file(args.file);
  if (!text) {
    print_diagnostic(text.error(), "", args.json);
    return 1;
  }
  auto fail = [&](const Diagnostic& d) {
    print_diagnostic(d, *text, args.json);
    return 1;
  };
  ir::CheckOptions options;
  options.file = args.file;
  auto program = ir::parse_program(*text, options);
  if (!program) return fail(program.error());
  if (auto registered = register_builtin_backends(BackendRegistry::global()); !registered) {
    return fail(registered.error());
  }
  // --repeat runs the program several times in this process: the first run may compile or load
  // from disk, later ones show the memory tier.
  Runtime runtime;
  if (args.iterations > 0) {
    auto prepared = prepare(args, *program);
    if (!prepared) return fail(prepared.error());
    auto run = run_iterations(runtime, *program, std::move(prepared->inputs), prepared->config,
                              args.iterations, args.swap);
    if (!run) return fail(run.error());
    for (const auto& [name, path] : prepared->out_paths) {
      const NpyArray out =
          shaped_output(*program, name, run->result.outputs.at(name), run->result.report.sizes);
      if (auto written = write_data_file(path, out); !written) return fail(written.error());
    }
    if (args.json) {
      std::printf("%s\n",
                  run_json(*program, run->result, args.file, prepared->out_paths).dump().c_str());
    } else {
      print_human(*program, run->result, prepared->out_paths);
      print_iteration_stats(run->stats);
    }
    return 0;
  }
  if (!args.swap.empty()) {
    return fail(bad_argument("--swap needs --iterations", "add --iterations N"));
  }
  const std::uint32_t rounds = std::max<std::uint32_t>(args.repeat, 1);
  RepeatSummary summary;
  nlohmann::json first_json;
  for (std::uint32_t round = 1; round <= rounds; ++round) {
    auto prepared = prepare(args, *program);
    if (!prepared) return fail(prepared.error());
    auto route = runtime.route(*program, prepared->config);
    const std::string backend_guess = route ? route->backend_id : std::string("its backend");
    auto out_paths = prepared->out_paths;
    auto result = run_once(runtime, *program, std::move(*prepared), args, *text, backend_guess);
    if (!result) return fail(result.error());
    summary.add(*result);
    // Outputs are written from the last run (and --repeat says whether they all agreed).
    if (round == rounds) {
      for (const auto& [name, path] : out_paths) {
        const NpyArray out =
            shaped_output(*program, name, result->outputs.at(name), result->report.sizes);
        if (auto written = write_data_file(path, out); !written) return fail(written.error());
      }
    }
    if (round == 1) {
      if (args.json) {
        first_json = run_json(*program, *result, args.file, out_paths);
      } else {
        print_human(*program, *result, out_paths);
      }
    }
  }
  if (args.json) {
    if (rounds > 1) first_json["repeat"] = summary_json(summary);
    std::printf("%s\n", first_json.dump().c_str());
  } else if (rounds > 1) {
    print_summary(summary);
  }
  return summary.outputs_identical ? 0 : 1;
}

}  // namespace

void install_run(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand("run", "Run a kernel and summarise or save its outputs");
  auto args = std::make_shared<RunArgs>();
  cmd->add_option("FILE", args->file, "kernel in vyre text IR (.vy)")->required();
  cmd->add_option("--backend", args->backend, "backend id, or auto (the best available)");
  cmd->add_option("--param", args->params, "param value: NAME=VALUE (repeatable)");
  cmd->add_option("--in", args->inputs,
                  "input buffer: NAME=PATH (.npy keeps its shape, else raw), NAME=fill:V or "
                  "NAME=range:N");
  cmd->add_option("--out", args->outputs,
                  "save an output buffer: NAME=PATH (.npy with its declared shape, .png for a "
                  "2-D output, else raw)");
  cmd->add_option("--size", args->sizes,
                  "bind a size symbol: NAME=N (repeatable; usually inferred from the inputs)");
  cmd->add_option("--cast", args->casts,
                  "convert input NAME to its buffer's declared type (repeatable)");
  cmd->add_option("--timeout-ms", args->timeout_ms,
                  "stop a dispatch still running after this many ms (0 = never)");
  cmd->add_option("--repeat", args->repeat,
                  "run N times in this process, then summarise (median, p90)")
      ->check(CLI::Range(1u, 1000000u));
  cmd->add_flag("--json", args->json, "print one JSON object");
  cmd->add_option("--iterations", args->iterations,
                  "run N dispatches on buffers kept on the device (one upload, one download)")
      ->check(CLI::Range(1u, 100000000u));
  cmd->add_option("--swap", args->swap, "with --iterations: exchange buffers A,B after each");
  cmd->callback([&ctx, args] { ctx.exit_code = run_command(*args); });
}

}  // namespace vyre::cli
