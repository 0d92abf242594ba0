#include <pybind11/stl.h>

#include "bindings.h"
#include "cache_queries.h"
#include "errors.h"
#include "kernel.h"
#include "runtime_access.h"
#include "vyre/ir/hash.h"
#include "vyre/pipeline/pipeline_cache.h"

namespace py = pybind11;

namespace vyre::python {
namespace {

py::object json_loads(const std::string& text) {
  return py::module_::import("json").attr("loads")(text);
}

std::shared_ptr<pipeline::PipelineCache> cache() {
  return unwrap(runtime().pipeline_cache());
}

py::dict outcome_dict(const pipeline::CacheOutcome& o) {
  py::dict d;
  d["tier"] = std::string(pipeline::cache_tier_name(o.tier));
  d["miss"] =
      o.miss ? py::object(py::str(std::string(pipeline::metric_name(*o.miss)))) : py::none();
  d["explanation"] = o.miss_explanation;
  d["key"] = to_hex(o.key);
  d["store"] = o.store;
  d["compile_ms"] = o.compile_ms;
  d["load_ms"] = o.load_ms;
  d["batch_size"] = o.batch_size;
  return d;
}

}  // namespace

py::dict explain_program(const ir::Program& program, const DispatchConfig& config) {
  routing::Route route = unwrap(released([&] { return runtime().route(program, config); }));
  auto pipelines = cache();
  pipeline::CacheOutcome miss;
  auto hit = unwrap(
      released([&] { return pipelines->lookup_only(*route.backend, program, config, &miss); }));
  py::dict d = outcome_dict(hit ? *hit : miss);
  d["backend"] = route.backend_id;
  d["would_hit"] = hit.has_value();
  return d;
}

void bind_cache(py::module_& m) {
  m.def(
      "cache_stats", [] { return json_loads(cache()->snapshot().to_json()); },
      R"(The pipeline cache's counters for this process, as a dict: hits (memory, stores),
misses by reason, compiles, compile and load times, hit rate, and each store of the chain.)");
  m.def(
      "cache_flush", [] { unwrap(released([&] { return cache()->flush(); })); },
      "Writes pending disk entries durably (also done at exit).");
  m.def(
      "precompile",
      [](const std::vector<const Kernel*>& kernels, const py::object& device) {
        DispatchConfig config;
        if (!device.is_none()) {
          config.allowed_backends = {unwrap(parse_device_spec(device.cast<std::string>())).backend};
        }
        std::vector<const ir::Program*> programs;
        for (const Kernel* k : kernels) programs.push_back(&k->program);
        auto results = released([&] { return runtime().precompile(programs, config); });
        py::list out;
        for (auto& r : results) {
          Precompiled done = unwrap(std::move(r));
          py::dict d = outcome_dict(done.cache);
          d["backend"] = done.backend;
          out.append(d);
        }
        return out;
      },
      py::arg("kernels"), py::arg("device") = py::none(),
      "Compiles many kernels together (one build per backend for the misses); a later call of "
      "each is a memory hit. Returns each one's cache outcome.");
}

}  // namespace vyre::python
