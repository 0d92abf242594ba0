// Shadow checking (DispatchConfig::shadow_fraction): a sampled dispatch is re-run on the
// reference backend with a copy of its inputs, and the outputs are compared.
#pragma once

#include <cstdint>
#include <memory>

#include "vyre/backend/backend.h"
#include "vyre/diag/result.h"
#include "vyre/ir/program.h"

namespace vyre {

// Whether the runtime's k-th dispatch (0-based) is shadow-checked at `fraction`: when
// floor((k + 1) * f) > floor(k * f), which checks exactly floor(N * f) of the first N dispatches,
// evenly spaced. Deterministic: no randomness, no clock.
bool shadow_sampled(double fraction, std::uint64_t k);

// The reference side of one shadow check, prepared before the checked dispatch starts.
struct ShadowRun {
  std::shared_ptr<Backend> reference;
  std::shared_ptr<const CompiledPipeline> pipeline;
  Bindings inputs;  // a copy of the bindings as they were before the dispatch
};

// Runs the reference dispatch and compares every writable buffer with `actual`. Fails with
// ShadowMismatch naming the program digest, the first differing buffer and element and both
// values; or with the reference backend's own error.
Status check_against_reference(ShadowRun& shadow, const ir::Program& program,
                               const Bindings& actual, const LaunchGeometry& geometry,
                               const DispatchConfig& config, std::string_view backend_id);

}  // namespace vyre
