// Helpers shared by the runtime, reference and CLI test suites: parse a kernel, run it on the
// reference backend, read outputs.
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

#include "vyre/backends/builtin.h"
#include "vyre/diag/render.h"
#include "vyre/ir/text.h"
#include "vyre/registry/backend_registry.h"
#include "vyre/runtime/runtime.h"

namespace vyre::testing {

// Parses and checks a kernel; a failure throws (and so fails the test) with the rendered
// diagnostic.
inline ir::Program parse(std::string_view text) {
  auto program = ir::parse_program(text);
  if (!program) {
    RenderOptions options;
    options.source = text;
    throw std::runtime_error("kernel does not check:\n" + render_human(program.error(), options));
  }
  return *program;
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

inline ir::Program example(const std::string& name) {
  return parse(read_file(std::string(VYRE_SOURCE_DIR) + "/examples/" + name + ".vy"));
}

inline Runtime& runtime() {
  static Runtime* instance = [] {
    Status registered = register_builtin_backends(BackendRegistry::global());
    if (!registered) throw std::runtime_error(render_human(registered.error()));
    return new Runtime(BackendRegistry::global());
  }();
  return *instance;
}

inline DispatchConfig on_reference(DispatchConfig config = {}) {
  config.allowed_backends = {"reference"};
  return config;
}

// Runs on the reference backend; a failure throws with the rendered diagnostic.
inline RunResult run_ok(const ir::Program& program, RunInputs inputs, DispatchConfig config = {}) {
  auto result = runtime().run(program, std::move(inputs), on_reference(std::move(config)));
  if (!result) throw std::runtime_error("run failed:\n" + render_human(result.error()));
  return std::move(result).value();
}

template <class T>
std::vector<T> output(const RunResult& result, const std::string& name) {
  auto it = result.outputs.find(name);
  if (it == result.outputs.end()) throw std::runtime_error("no output " + name);
  return it->second.to_vector<T>();
}

}  // namespace vyre::testing
