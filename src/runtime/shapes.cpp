#include "vyre/runtime/shapes.h"

#include "vyre/diag/codes.h"

namespace vyre {
namespace {

// The dimensions a count declares, each a symbol or (for the leading constant) empty.
struct DeclaredDim {
  std::string symbol;  // empty for the constant
  std::uint64_t constant = 0;
};

std::vector<DeclaredDim> declared_dims(const ir::SizeExpr& count) {
  std::vector<DeclaredDim> dims;
  if (count.constant != 1 || count.symbols.empty()) dims.push_back({"", count.constant});
  for (const std::string& symbol : count.symbols) dims.push_back({symbol, 0});
  return dims;
}

}  // namespace

std::string shape_text(const Shape& shape) {
  std::string out = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    out += (i ? ", " : "") + std::to_string(shape[i]);
  }
  return out + (shape.size() == 1 ? ",)" : ")");
}

Result<std::map<std::string, std::uint64_t>> sizes_from_shapes(
    const ir::Program& program, const std::map<std::string, Shape>& input_shapes,
    const std::map<std::string, std::uint64_t>& explicit_sizes) {
  std::map<std::string, std::uint64_t> sizes = explicit_sizes;
  std::map<std::string, std::string> source;  // where each symbol's value came from
  for (const auto& [symbol, value] : explicit_sizes) source[symbol] = "--size " + symbol;
  for (const ir::BufferDecl& decl : program->buffers) {
    auto given = input_shapes.find(decl.name);
    if (given == input_shapes.end() || given->second.size() < 2) continue;
    const Shape& shape = given->second;
    const std::vector<DeclaredDim> dims = declared_dims(decl.count);
    if (dims.size() != shape.size()) continue;
    const std::string what = "input `" + decl.name + "` of shape " + shape_text(shape);
    for (std::size_t i = 0; i < dims.size(); ++i) {
      if (dims[i].symbol.empty()) {
        if (dims[i].constant != shape[i]) {
          return Diagnostic::error(code::ShapeMismatch,
                                   what + ": dimension " + std::to_string(i) + " is " +
                                       std::to_string(shape[i]) + " but buffer `" + decl.name +
                                       "` declares " + ir::to_string(decl.count),
                                   "reshape the array so its dimensions follow the declared "
                                   "count, or pass it flat (numpy's ravel())")
              .at(decl.loc);
        }
        continue;
      }
      const std::string& symbol = dims[i].symbol;
      auto known = sizes.find(symbol);
      if (known == sizes.end()) {
        sizes[symbol] = shape[i];
        source[symbol] = what;
      } else if (known->second != shape[i]) {
        return Diagnostic::error(
                   code::ShapeMismatch,
                   what + " gives " + symbol + " = " + std::to_string(shape[i]) + ", but " +
                       source[symbol] + " gives " + symbol + " = " + std::to_string(known->second),
                   "buffer `" + decl.name + "` is declared " + ir::to_string(decl.count) +
                       ": make the arrays' shapes agree (`vyre check FILE` prints "
                       "the kernel's interface)")
            .at(decl.loc);
      }
    }
  }
  return sizes;
}

Shape declared_shape(const ir::SizeExpr& count, const std::map<std::string, std::uint64_t>& sizes) {
  Shape shape;
  for (const DeclaredDim& dim : declared_dims(count)) {
    if (dim.symbol.empty()) {
      shape.push_back(dim.constant);
      continue;
    }
    auto value = sizes.find(dim.symbol);
    if (value == sizes.end()) return {};
    shape.push_back(value->second);
  }
  return shape;
}

}  // namespace vyre
