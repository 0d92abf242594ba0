#include "kernel_interface.h"

#include <algorithm>

#include <fmt/format.h>

#include "vyre/ir/loop_status.h"

namespace vyre::cli {
namespace {

// The count as a shape: `m*k` is "(m, k)", `4*n` "(4, n)", `n` "(n,)".
std::vector<std::string> shape_dims(const ir::SizeExpr& count) {
  std::vector<std::string> dims;
  if (count.constant != 1 || count.symbols.empty()) dims.push_back(std::to_string(count.constant));
  for (const std::string& symbol : count.symbols) dims.push_back(symbol);
  return dims;
}

std::string join(const std::vector<std::string>& items, const char* separator) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : separator) + item;
  return out;
}

}  // namespace

std::vector<SizeSource> size_sources(const ir::Program& program) {
  std::vector<SizeSource> out;
  for (const std::string& symbol : program->size_symbols) {
    SizeSource source{symbol, {}, {}};
    for (const ir::BufferDecl& b : program->buffers) {
      if (b.access == ir::Access::Write) continue;  // outputs are not given
      const auto& symbols = b.count.symbols;
      if (std::find(symbols.begin(), symbols.end(), symbol) == symbols.end()) continue;
      (symbols.size() == 1 ? source.from_length : source.from_shape).push_back(b.name);
    }
    out.push_back(std::move(source));
  }
  return out;
}

std::string interface_text(const ir::Program& program) {
  const ir::ProgramData& p = *program;
  std::string out =
      fmt::format("  workgroup {}x{}x{}", p.workgroup[0], p.workgroup[1], p.workgroup[2]);
  if (!p.dispatch.empty()) {
    std::vector<std::string> dims;
    for (const ir::SizeExpr& d : p.dispatch) dims.push_back(ir::to_string(d));
    out += ", dispatch(" + join(dims, ", ") + ")";
  }
  out += "\n";
  for (const ir::ParamDecl& param : p.params) {
    out += fmt::format("  param  {}: {}  (--param {}=VALUE)\n", param.name,
                       ir::type_name(param.type), param.name);
  }
  for (const ir::BufferDecl& b : p.buffers) {
    if (ir::is_loop_status_buffer(b)) continue;  // vyre's own, never given or read
    const auto dims = shape_dims(b.count);
    out += fmt::format("  buffer {}: {} {}[{}]", b.name, ir::access_name(b.access),
                       ir::type_name(b.element), ir::to_string(b.count));
    if (dims.size() > 1) out += "  shape (" + join(dims, ", ") + ")";
    out += b.access == ir::Access::Read    ? "  input (--in, required)"
           : b.access == ir::Access::Write ? "  output (--out)"
                                           : "  input and output (--in optional, zeroed if not "
                                             "given; --out)";
    out += "\n";
  }
  for (const ir::SharedDecl& s : p.shared) {
    out += fmt::format("  shared {}: {}[{}]\n", s.name, ir::type_name(s.element), s.count);
  }
  for (const SizeSource& s : size_sources(program)) {
    std::vector<std::string> from;
    if (!s.from_length.empty()) from.push_back("the length of " + join(s.from_length, " or "));
    if (!s.from_shape.empty()) from.push_back("the shape of " + join(s.from_shape, " or "));
    from.push_back("--size " + s.symbol + "=N");
    out += fmt::format("  size   {}: from {}\n", s.symbol, join(from, ", or "));
  }
  return out;
}

nlohmann::json interface_json(const ir::Program& program) {
  const ir::ProgramData& p = *program;
  nlohmann::json params = nlohmann::json::array();
  for (const ir::ParamDecl& param : p.params) {
    params.push_back({{"name", param.name}, {"type", ir::type_name(param.type)}});
  }
  nlohmann::json buffers = nlohmann::json::array();
  for (const ir::BufferDecl& b : p.buffers) {
    if (ir::is_loop_status_buffer(b)) continue;
    buffers.push_back({{"name", b.name},
                       {"binding", b.binding},
                       {"access", ir::access_name(b.access)},
                       {"type", ir::type_name(b.element)},
                       {"count", ir::to_string(b.count)},
                       {"shape", shape_dims(b.count)}});
  }
  nlohmann::json shared = nlohmann::json::array();
  for (const ir::SharedDecl& s : p.shared) {
    shared.push_back({{"name", s.name}, {"type", ir::type_name(s.element)}, {"count", s.count}});
  }
  nlohmann::json sizes = nlohmann::json::array();
  for (const SizeSource& s : size_sources(program)) {
    sizes.push_back(
        {{"name", s.symbol}, {"from_length", s.from_length}, {"from_shape", s.from_shape}});
  }
  nlohmann::json dispatch = nlohmann::json::array();
  for (const ir::SizeExpr& d : p.dispatch) dispatch.push_back(ir::to_string(d));
  return {{"workgroup", p.workgroup}, {"dispatch", dispatch}, {"params", params},
          {"buffers", buffers},       {"shared", shared},     {"sizes", sizes}};
}

}  // namespace vyre::cli
