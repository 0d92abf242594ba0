// What one request for a pipeline came to: the pipeline (or the error) and how it was obtained.
// Shared by the threads of one single-flight, and between obtain() and obtain_many().
#pragma once

#include <memory>

#include "vyre/backend/backend.h"
#include "vyre/pipeline/pipeline_cache.h"

namespace vyre::pipeline {

struct PipelineCache::Resolved {
  Result<std::shared_ptr<const CompiledPipeline>> result;
  CacheOutcome outcome;
};

}  // namespace vyre::pipeline
