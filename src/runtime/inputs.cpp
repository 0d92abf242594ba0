#include "vyre/runtime/inputs.h"

#include <fmt/format.h>

#include "vyre/diag/codes.h"
#include "vyre/ir/loop_status.h"

namespace vyre {
namespace {

std::string elements(std::uint64_t n) {
  return fmt::format("{} element{}", n, n == 1 ? "" : "s");
}

const ir::BufferDecl* find_buffer(const ir::ProgramData& p, std::string_view name) {
  for (const auto& b : p.buffers) {
    if (b.name == name) return &b;
  }
  return nullptr;
}

const ir::ParamDecl* find_param(const ir::ProgramData& p, std::string_view name) {
  for (const auto& param : p.params) {
    if (param.name == name) return &param;
  }
  return nullptr;
}

bool has_symbol(const ir::ProgramData& p, std::string_view symbol) {
  for (const auto& s : p.size_symbols) {
    if (s == symbol) return true;
  }
  return false;
}

std::string declared_names(const ir::ProgramData& p) {
  std::string out;
  for (const auto& b : p.buffers) {
    if (!ir::is_loop_status_buffer(b)) out += (out.empty() ? "" : ", ") + b.name;
  }
  for (const auto& param : p.params) out += (out.empty() ? "" : ", ") + param.name + " (param)";
  return out.empty() ? "nothing" : out;
}

Diagnostic at_decl(Diagnostic d, const ir::BufferDecl& decl) {
  d.location = decl.loc;
  return d;
}

Status check_names(const ir::ProgramData& p, const RunInputs& inputs) {
  for (const auto& [name, buffer] : inputs.buffers) {
    const ir::BufferDecl* decl = find_buffer(p, name);
    if (decl == nullptr) {
      bool is_param = find_param(p, name) != nullptr;
      return Diagnostic::error(code::UnknownInput,
                               fmt::format("`{}` gets a buffer, but kernel `{}` has no buffer "
                                           "named `{}`",
                                           name, p.name, name),
                               is_param
                                   ? fmt::format("`{}` is a param: pass a scalar "
                                                 "(--param {}=VALUE)",
                                                 name, name)
                                   : fmt::format("the kernel declares: {}", declared_names(p)));
    }
    if (buffer.element() != decl->element) {
      return at_decl(Diagnostic::error(
                         code::InputTypeMismatch,
                         fmt::format("buffer `{}` is declared {}, but the input holds {}", name,
                                     ir::type_name(decl->element), ir::type_name(buffer.element())),
                         fmt::format("convert the data to {} (vyre never converts implicitly)",
                                     ir::type_name(decl->element))),
                     *decl);
    }
  }
  for (const auto& [name, scalar] : inputs.params) {
    const ir::ParamDecl* decl = find_param(p, name);
    if (decl == nullptr) {
      bool is_buffer = find_buffer(p, name) != nullptr;
      return Diagnostic::error(
          code::UnknownInput,
          fmt::format("`{}` gets a param value, but kernel `{}` has no param named `{}`", name,
                      p.name, name),
          is_buffer ? fmt::format("`{}` is a buffer: pass data (--in {}=PATH)", name, name)
                    : fmt::format("the kernel declares: {}", declared_names(p)));
    }
    if (scalar.type != decl->type) {
      return Diagnostic::error(
                 code::InputTypeMismatch,
                 fmt::format("param `{}` is declared {}, but the value given is {}", name,
                             ir::type_name(decl->type), ir::type_name(scalar.type)),
                 fmt::format("pass a {} value", ir::type_name(decl->type)))
          .at(decl->loc);
    }
  }
  for (const auto& decl : p.buffers) {
    if (decl.access == ir::Access::Read && inputs.buffers.count(decl.name) == 0) {
      return at_decl(
          Diagnostic::error(code::MissingInput,
                            fmt::format("no data for buffer `{}` ({} {}[{}])", decl.name,
                                        ir::access_name(decl.access), ir::type_name(decl.element),
                                        ir::to_string(decl.count)),
                            fmt::format("pass it: --in {}=data.npy (or fill:V, "
                                        "range:N)",
                                        decl.name)),
          decl);
    }
  }
  for (const auto& decl : p.params) {
    if (inputs.params.count(decl.name) == 0) {
      return Diagnostic::error(
                 code::MissingInput,
                 fmt::format("no value for param `{}` ({})", decl.name, ir::type_name(decl.type)),
                 fmt::format("pass it: --param {}=VALUE", decl.name))
          .at(decl.loc);
    }
  }
  return Ok{};
}

}  // namespace

Result<std::uint64_t> element_count(const ir::SizeExpr& size,
                                    const std::map<std::string, std::uint64_t>& sizes,
                                    std::string_view what) {
  std::uint64_t count = size.constant;
  for (const std::string& symbol : size.symbols) {
    auto it = sizes.find(symbol);
    if (it == sizes.end()) {
      return Diagnostic::error(
          code::UnresolvedSize,
          fmt::format("size symbol `{}` (in the count {} of {}) has no value", symbol,
                      ir::to_string(size), what),
          fmt::format("bind it explicitly: --size {}=N (or DispatchConfig::sizes)", symbol));
    }
    if (it->second != 0 && count > UINT64_MAX / it->second) {
      return Diagnostic::error(
          code::SizeOverflow,
          fmt::format("the count {} of {} overflows 64 bits", ir::to_string(size), what),
          "use smaller sizes");
    }
    count *= it->second;
  }
  return count;
}

Result<std::map<std::string, std::uint64_t>> infer_sizes(
    const ir::Program& program, const std::map<std::string, HostBuffer>& buffers,
    const std::map<std::string, std::uint64_t>& explicit_sizes) {
  std::map<std::string, std::uint64_t> counts;
  for (const auto& [name, buffer] : buffers) counts[name] = buffer.count();
  return infer_sizes(program, counts, explicit_sizes);
}

Result<std::map<std::string, std::uint64_t>> infer_sizes(
    const ir::Program& program, const std::map<std::string, std::uint64_t>& buffers,
    const std::map<std::string, std::uint64_t>& explicit_sizes) {
  const ir::ProgramData& p = *program;
  std::map<std::string, std::uint64_t> sizes;
  for (const auto& [symbol, value] : explicit_sizes) {
    if (!has_symbol(p, symbol)) {
      std::string known;
      for (const auto& s : p.size_symbols) known += (known.empty() ? "" : ", ") + s;
      return Diagnostic::error(
          code::UnknownInput,
          fmt::format("--size {}: kernel `{}` has no size symbol `{}`", symbol, p.name, symbol),
          known.empty() ? "this kernel has no size symbols; drop the --size"
                        : "its size symbols are: " + known);
    }
    if (value > UINT32_MAX) {
      return Diagnostic::error(code::SizeOverflow,
                               fmt::format("size {} = {} does not fit u32", symbol, value),
                               "size symbols are read as u32 in kernels; use at most 4294967295");
    }
    sizes[symbol] = value;
  }
  // Where each inferred symbol came from, for the diagnostic when two inputs disagree.
  std::map<std::string, std::string> source;
  for (const auto& decl : p.buffers) {
    auto given = buffers.find(decl.name);
    if (given == buffers.end() || decl.count.symbols.size() != 1) continue;
    const std::string& symbol = decl.count.symbols[0];
    const std::uint64_t length = given->second;
    const std::uint64_t constant = decl.count.constant;
    if (constant == 0 || length % constant != 0) {
      return at_decl(
          Diagnostic::error(
              code::InputSizeMismatch,
              fmt::format("buffer `{}` has {}, not a multiple of {} (its count is "
                          "{})",
                          decl.name, elements(length), constant, ir::to_string(decl.count)),
              fmt::format("give `{}` a multiple of {} elements", decl.name, constant)),
          decl);
    }
    const std::uint64_t value = length / constant;
    auto known = sizes.find(symbol);
    if (known == sizes.end()) {
      if (value > UINT32_MAX) {
        return Diagnostic::error(code::SizeOverflow,
                                 fmt::format("buffer `{}` implies {} = {}, which does not fit u32",
                                             decl.name, symbol, value),
                                 "size symbols are read as u32 in kernels; use smaller inputs");
      }
      sizes[symbol] = value;
      source[symbol] = decl.name;
    } else if (known->second != value) {
      bool from_flag = source.count(symbol) == 0;
      return at_decl(
          Diagnostic::error(
              code::InconsistentSize,
              from_flag ? fmt::format("buffer `{}` has {}, so {} = {}, but --size {}={}", decl.name,
                                      elements(length), symbol, value, symbol, known->second)
                        : fmt::format("buffer `{}` has {} ({} = {}), but buffer `{}` implies {} "
                                      "= {}",
                                      decl.name, elements(length), symbol, value, source[symbol],
                                      symbol, known->second),
              fmt::format("every buffer sized by `{}` must agree; fix the input lengths{}", symbol,
                          from_flag ? " or the --size value" : "")),
          decl);
    }
  }
  return sizes;
}

Result<Bindings> bind_inputs(const ir::Program& program, RunInputs inputs,
                             const DispatchConfig& config) {
  const ir::ProgramData& p = *program;
  VYRE_TRY(check_names(p, inputs));
  auto sizes = VYRE_TRY(infer_sizes(program, inputs.buffers, config.sizes));
  for (const std::string& symbol : p.size_symbols) {
    if (sizes.count(symbol) != 0) continue;
    std::string users;
    for (const auto& decl : p.buffers) {
      for (const auto& s : decl.count.symbols) {
        if (s == symbol) {
          users += (users.empty() ? "" : ", ") + decl.name + "[" + ir::to_string(decl.count) + "]";
          break;
        }
      }
    }
    return Diagnostic::error(
        code::UnresolvedSize,
        fmt::format("size symbol `{}` of kernel `{}` has no value{}", symbol, p.name,
                    users.empty() ? "" : " (used by " + users + ")"),
        fmt::format("bind it explicitly: --size {}=N (it is inferred only from an input buffer "
                    "whose count is `{}` alone)",
                    symbol, symbol));
  }

  Bindings bindings;
  std::uint64_t output_bytes = 0;
  for (const auto& decl : p.buffers) {
    const std::uint64_t count =
        VYRE_TRY(element_count(decl.count, sizes, "buffer `" + decl.name + "`"));
    const std::uint64_t element_bytes = ir::size_bytes(decl.element);
    if (count > UINT64_MAX / element_bytes) {
      return Diagnostic::error(
          code::SizeOverflow, fmt::format("buffer `{}` would need more than 2^64 bytes", decl.name),
          "use smaller sizes");
    }
    auto given = inputs.buffers.find(decl.name);
    if (given != inputs.buffers.end()) {
      if (given->second.count() != count) {
        bool single = decl.count.symbols.size() == 1;
        return at_decl(
            Diagnostic::error(
                single ? code::InconsistentSize : code::InputSizeMismatch,
                fmt::format("buffer `{}` has {}, but its declared count {} is {}", decl.name,
                            elements(given->second.count()), ir::to_string(decl.count), count),
                decl.count.fixed()
                    ? fmt::format("give `{}` exactly {}", decl.name, elements(count))
                    : fmt::format("give `{}` {} or bind the sizes differently with --size",
                                  decl.name, elements(count))),
            decl);
      }
      bindings.buffers.push_back(std::move(given->second));
    } else {
      if (count * element_bytes > SIZE_MAX / 2) {
        return Diagnostic::error(
            code::SizeOverflow,
            fmt::format("buffer `{}` ({}) is too large to allocate", decl.name, elements(count)),
            "use smaller sizes");
      }
      bindings.buffers.emplace_back(decl.element, static_cast<std::size_t>(count));
    }
    if (ir::can_write(decl.access)) output_bytes += count * element_bytes;
  }
  if (config.max_output_bytes != 0 && output_bytes > config.max_output_bytes) {
    return Diagnostic::error(code::OutputTooLarge,
                             fmt::format("kernel `{}` would write {} bytes of outputs, over the "
                                         "limit of {} (max_output_bytes)",
                                         p.name, output_bytes, config.max_output_bytes),
                             "raise max_output_bytes or run on smaller sizes");
  }
  for (const auto& decl : p.params) bindings.params.push_back(inputs.params.at(decl.name));
  for (const std::string& symbol : p.size_symbols) bindings.sizes.push_back(sizes.at(symbol));
  return bindings;
}

}  // namespace vyre
