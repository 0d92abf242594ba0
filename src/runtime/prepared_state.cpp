#include "prepared_state.h"

#include <fmt/format.h>

#include "vyre/diag/codes.h"
#include "vyre/ir/loop_status.h"

namespace vyre {

DeviceBindings PreparedKernel::State::empty_bindings() const {
  DeviceBindings b;
  b.buffers.resize(program->buffers.size());
  b.params.resize(program->params.size());
  b.sizes.resize(program->size_symbols.size());
  return b;
}

Result<std::shared_ptr<StatusWord>> PreparedKernel::State::make_status_word() const {
  const ir::BufferDecl& decl = program->buffers[*status_buffer];
  DeviceBuffer buffer = VYRE_TRY(device.allocate_zeroed(decl.element, decl.count.constant));
  return std::make_shared<StatusWord>(StatusWord{program, std::move(buffer)});
}

Result<std::shared_ptr<StatusWord>> PreparedKernel::State::status_word_for(const Stream& stream) {
  if (!status_buffer) return std::shared_ptr<StatusWord>();
  const std::weak_ptr<BackendStream> key = stream.weak();
  for (const auto& [owner, word] : status_words) {
    if (!owner.owner_before(key) && !key.owner_before(owner)) return word;
  }
  std::erase_if(status_words, [](const auto& entry) { return entry.first.expired(); });
  std::shared_ptr<StatusWord> word = VYRE_TRY(make_status_word());
  status_words.emplace_back(key, word);
  return word;
}

Status PreparedKernel::State::check_device(const Device& other, std::string_view what) const {
  if (other == device) return Ok{};
  return Diagnostic::error(code::WrongDevice,
                           fmt::format("kernel `{}` was prepared for {}, but {} of {} was given",
                                       program->name, device.id(), what, other.id()),
                           "launch on a stream of the device the kernel was prepared for, or "
                           "prepare it for that device");
}

namespace {

std::uint32_t symbol_index(const ir::ProgramData& p, const std::string& symbol) {
  for (std::uint32_t i = 0; i < p.size_symbols.size(); ++i) {
    if (p.size_symbols[i] == symbol) return i;
  }
  return 0;  // the checker guarantees every symbol is listed
}

PreparedKernel::State::Count count_of(const ir::ProgramData& p, const ir::SizeExpr& size) {
  PreparedKernel::State::Count count;
  count.constant = size.constant;
  for (const auto& symbol : size.symbols) count.symbols.push_back(symbol_index(p, symbol));
  return count;
}

}  // namespace

Result<std::unique_ptr<PreparedKernel::State>> resolve_prepared_state(
    const ir::Program& program, const Device& device,
    std::shared_ptr<const CompiledPipeline> pipeline, const DispatchConfig& config) {
  auto state = std::make_unique<PreparedKernel::State>(program);
  const ir::ProgramData& p = *program;
  state->device = device;
  state->key = DeviceKey{&device.backend(), device.index()};
  state->pipeline = std::move(pipeline);

  for (const auto& [name, value] : config.sizes) {
    bool known = false;
    for (const auto& symbol : p.size_symbols) known = known || symbol == name;
    if (!known) {
      return Diagnostic::error(code::UnknownInput,
                               fmt::format("size `{}` is not a size symbol of `{}`", name, p.name),
                               "bind only the program's size symbols in DispatchConfig::sizes");
    }
  }
  state->sizes.resize(p.size_symbols.size());
  for (std::uint32_t k = 0; k < p.size_symbols.size(); ++k) {
    const std::string& symbol = p.size_symbols[k];
    PreparedKernel::State::SizeSource& source = state->sizes[k];
    if (auto given = config.sizes.find(symbol); given != config.sizes.end()) {
      source.value = given->second;
      continue;
    }
    for (std::size_t i = 0; i < p.buffers.size(); ++i) {
      const ir::SizeExpr& count = p.buffers[i].count;
      if (count.symbols.size() == 1 && count.symbols[0] == symbol && count.constant != 0) {
        source.buffer = static_cast<int>(i);
        source.divisor = count.constant;
        break;
      }
    }
    if (source.buffer < 0) {
      return Diagnostic::error(
          code::UnresolvedSize,
          fmt::format("kernel `{}`: size `{}` is given by no buffer's count alone", p.name, symbol),
          fmt::format("bind it in DispatchConfig::sizes (\"{}\" -> value) when preparing", symbol));
    }
  }
  for (const auto& buffer : p.buffers) state->buffer_counts.push_back(count_of(p, buffer.count));
  if (config.grid_override) {
    state->grid = *config.grid_override;
  } else if (!p.dispatch.empty()) {
    for (std::size_t d = 0; d < p.dispatch.size() && d < 3; ++d) {
      state->threads[d] = count_of(p, p.dispatch[d]);
    }
  } else {
    for (const auto& buffer : p.buffers) {
      if (ir::can_write(buffer.access)) {
        state->threads[0] = count_of(p, buffer.count);
        break;
      }
    }
  }
  state->scratch = state->empty_bindings();
  state->status_buffer = ir::loop_status_buffer(*state->program);
  return state;
}

}  // namespace vyre
