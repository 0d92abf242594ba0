// Runtime::precompile: route every program, then one PipelineCache::obtain_many per chosen
// backend, so the programs one backend must compile are compiled together.
#include <map>

#include "vyre/runtime/runtime.h"

namespace vyre {

std::vector<Result<Precompiled>> Runtime::precompile(std::span<const ir::Program* const> programs,
                                                     const DispatchConfig& config) {
  std::vector<std::optional<Result<Precompiled>>> out(programs.size());
  auto cache = pipeline_cache();
  struct Group {
    std::shared_ptr<Backend> backend;
    std::vector<std::size_t> indices;
    std::vector<const ir::Program*> programs;
  };
  std::map<std::string, Group> groups;  // by backend id
  for (std::size_t i = 0; i < programs.size(); ++i) {
    if (!cache.ok()) {
      out[i] = cache.error();
      continue;
    }
    auto route = routing::choose_backend(registry_, *programs[i], config);
    if (!route.ok()) {
      out[i] = std::move(route).error();
      continue;
    }
    routing::log_route(*programs[i], *route);
    Group& group = groups[route->backend_id];
    group.backend = route->backend;
    group.indices.push_back(i);
    group.programs.push_back(programs[i]);
  }
  for (auto& [id, group] : groups) {
    std::vector<pipeline::CacheOutcome> outcomes;
    auto pipelines = (*cache)->obtain_many(*group.backend, group.programs, config, &outcomes);
    for (std::size_t k = 0; k < group.indices.size(); ++k) {
      if (!pipelines[k].ok()) {
        out[group.indices[k]] = std::move(pipelines[k]).error();
      } else {
        out[group.indices[k]] = Precompiled{id, std::move(outcomes[k])};
      }
    }
  }
  std::vector<Result<Precompiled>> results;
  results.reserve(out.size());
  for (auto& r : out) results.push_back(std::move(*r));
  return results;
}

}  // namespace vyre
