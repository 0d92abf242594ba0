// The race detector finds no race where there is none: in 1,000 random programs from the
// generator (race-free by construction, vyre/progen/generator.h), and no random program reaches
// a loop cap. Together with the conformance cases and examples/ (which run on the reference
// backend with detection on), this is the detector's false-positive check.
#include <gtest/gtest.h>

#include <cstdlib>

#include "vyre/backends/builtin.h"
#include "vyre/diag/codes.h"
#include "vyre/diag/render.h"
#include "vyre/ir/text.h"
#include "vyre/progen/differential.h"
#include "vyre/progen/generator.h"
#include "vyre/runtime/runtime.h"

namespace vyre::progen {
namespace {

TEST(RaceFree, ThousandRandomProgramsOnTheReferenceBackend) {
  ASSERT_TRUE(register_builtin_backends(BackendRegistry::global()).ok());
  auto cache = open_fuzz_cache(1, 1);
  ASSERT_TRUE(cache.ok()) << cache.error().message;
  Runtime runtime(BackendRegistry::global(), *cache);
  DispatchConfig config;
  config.allowed_backends = {"reference"};
  int with_shared = 0;
  for (std::uint64_t seed = 0; seed < 1000; ++seed) {
    GeneratedCase c = generate(seed);
    auto program = ir::check(c.draft.clone());
    ASSERT_TRUE(program.ok()) << "seed " << seed << ": " << render_human(program.error());
    with_shared += (*program)->shared.empty() ? 0 : 1;
    auto result = runtime.run(*program, to_run_inputs(c.inputs), config);
    ASSERT_TRUE(result.ok()) << "seed " << seed << ": " << render_human(result.error()) << "\n"
                             << ir::print_program(*program);
  }
  EXPECT_GE(with_shared, 300);  // shared-memory phases and barriers are well represented
}

}  // namespace
}  // namespace vyre::progen
