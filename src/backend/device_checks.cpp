#include "device_checks.h"

#include <fmt/format.h>

#include "vyre/backend/backend.h"
#include "vyre/diag/codes.h"

namespace vyre {

Result<DeviceBufferView> check_buffer(const Device& device, const DeviceBuffer& buffer,
                                      std::string_view role) {
  if (!buffer.valid() && !buffer.released()) {
    return Diagnostic::error(code::BadBindings,
                             fmt::format("the {} is an empty DeviceBuffer handle", role),
                             "pass a buffer made by Device::allocate or Device::upload");
  }
  if (buffer.released()) {
    return Diagnostic::error(code::BufferReleased,
                             fmt::format("the {} ({} {} on {}) was released", role, buffer.count(),
                                         ir::type_name(buffer.element()), buffer.device().id()),
                             "keep the buffer until its last use, or allocate a new one");
  }
  if (!(buffer.device() == device)) {
    return Diagnostic::error(code::WrongDevice,
                             fmt::format("the {} lives on {}, but the work runs on {}", role,
                                         buffer.device().id(), device.id()),
                             "allocate the buffer on the device that runs the work, or copy it "
                             "there through the host");
  }
  return buffer.unchecked_view();
}

Status check_device_bindings(const ir::ProgramData& p, const DeviceBindings& b,
                             const Device& device) {
  auto bad = [&](std::string what) {
    return Diagnostic::error(code::KernelArgMismatch,
                             fmt::format("launch of `{}`: {}", p.name, std::move(what)),
                             "bind every buffer, param and size as the program declares them");
  };
  if (b.buffers.size() != p.buffers.size() || b.params.size() != p.params.size() ||
      b.sizes.size() != p.size_symbols.size()) {
    return bad(fmt::format("the kernel takes {} buffers, {} params and {} sizes; got {}, {} and {}",
                           p.buffers.size(), p.params.size(), p.size_symbols.size(),
                           b.buffers.size(), b.params.size(), b.sizes.size()));
  }
  const DeviceKey key = key_of(device);
  for (std::size_t i = 0; i < p.buffers.size(); ++i) {
    const DeviceBufferView& view = b.buffers[i];
    const auto& decl = p.buffers[i];
    if (view.allocation == nullptr) return bad(fmt::format("buffer `{}` is not bound", decl.name));
    if (view.allocation->released()) {
      return Diagnostic::error(
          code::BufferReleased,
          fmt::format("launch of `{}`: buffer `{}` was released", p.name, decl.name),
          "keep the buffer until its last use, or allocate a new one");
    }
    if (!(view.allocation->device() == key)) {
      return Diagnostic::error(code::WrongDevice,
                               fmt::format("launch of `{}` on {}: buffer `{}` lives on another "
                                           "device",
                                           p.name, device.id(), decl.name),
                               "allocate the buffer on the device that runs the kernel");
    }
    if (view.element != decl.element) {
      return bad(fmt::format("buffer `{}` is declared {}, but holds {}", decl.name,
                             ir::type_name(decl.element), ir::type_name(view.element)));
    }
    std::uint64_t expected = decl.count.constant;
    for (const std::string& symbol : decl.count.symbols) {
      for (std::size_t s = 0; s < p.size_symbols.size(); ++s) {
        if (p.size_symbols[s] == symbol) expected *= b.sizes[s];
      }
    }
    if (view.count != expected) {
      return bad(fmt::format("buffer `{}` has {} elements, declared {} = {}", decl.name, view.count,
                             ir::to_string(decl.count), expected));
    }
  }
  for (std::size_t i = 0; i < p.params.size(); ++i) {
    if (b.params[i].type != p.params[i].type) {
      return bad(fmt::format("param `{}` is {}, but a {} was bound", p.params[i].name,
                             ir::type_name(p.params[i].type), ir::type_name(b.params[i].type)));
    }
  }
  return Ok{};
}

}  // namespace vyre
