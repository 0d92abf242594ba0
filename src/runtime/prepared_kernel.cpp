// PreparedKernel: the binding layout resolved once, so a launch is a few comparisons and one
// enqueue. Nothing on the launch path allocates, hashes or looks anything up by name.
#include "vyre/runtime/prepared_kernel.h"

#include <fmt/format.h>

#include "prepared_state.h"
#include "vyre/backend/stream.h"
#include "vyre/diag/codes.h"
#include "vyre/ir/loop_status.h"

namespace vyre {

PreparedKernel::PreparedKernel(std::unique_ptr<State> state) : state_(std::move(state)) {}
PreparedKernel::PreparedKernel(PreparedKernel&&) noexcept = default;
PreparedKernel& PreparedKernel::operator=(PreparedKernel&&) noexcept = default;
PreparedKernel::~PreparedKernel() = default;

const ir::Program& PreparedKernel::program() const {
  return state_->program;
}
const Device& PreparedKernel::device() const {
  return state_->device;
}
const std::shared_ptr<const CompiledPipeline>& PreparedKernel::pipeline() const {
  return state_->pipeline;
}
const PreparedReport& PreparedKernel::report() const {
  return state_->report;
}

Result<ArgSlot> PreparedKernel::slot(std::string_view name) const {
  const ir::ProgramData& p = *state_->program;
  for (std::uint32_t i = 0; i < state_->caller_buffers(); ++i) {
    if (p.buffers[i].name == name) return ArgSlot{ArgSlot::Kind::Buffer, i};
  }
  for (std::uint32_t i = 0; i < p.params.size(); ++i) {
    if (p.params[i].name == name) return ArgSlot{ArgSlot::Kind::Param, i};
  }
  std::string known;
  for (std::uint32_t i = 0; i < state_->caller_buffers(); ++i) {
    known += (known.empty() ? "" : ", ") + p.buffers[i].name;
  }
  for (const auto& q : p.params) known += (known.empty() ? "" : ", ") + q.name;
  return Diagnostic::error(code::UnknownKernelArg,
                           fmt::format("kernel `{}` has no buffer or param `{}`", p.name, name),
                           fmt::format("its arguments are: {}", known));
}

LaunchArgs PreparedKernel::args() const {
  LaunchArgs args;
  args.buffers_.resize(state_->program->buffers.size());
  args.params_.resize(state_->program->params.size());
  args.param_set_.assign(state_->program->params.size(), false);
  for (std::size_t i = 0; i < args.params_.size(); ++i) {
    args.params_[i].type = state_->program->params[i].type;
  }
  return args;
}

namespace {

// Positional arguments as the binder reads them: the caller's buffers (all but the loop status
// buffer, which is the last), then the params.
struct SpanArgs {
  std::span<const KernelArg> args;
  std::size_t buffers;
  Status arity(const ir::ProgramData& p) const {
    if (args.size() == buffers + p.params.size()) return Ok{};
    return Diagnostic::error(
        code::KernelArgMismatch,
        fmt::format("kernel `{}` takes {} buffers and {} params ({} "
                    "arguments); {} were given",
                    p.name, buffers, p.params.size(), buffers + p.params.size(), args.size()),
        "pass every buffer in declaration order, then every param");
  }
  const DeviceBuffer* buffer(std::size_t i) const {
    return args[i].is_buffer() ? &args[i].buffer() : nullptr;
  }
  const Scalar* param(std::size_t i) const {
    const KernelArg& a = args[buffers + i];
    return a.is_buffer() ? nullptr : &a.scalar();
  }
};

struct SlotArgs {
  const LaunchArgs& args;
  Status arity(const ir::ProgramData& p) const {
    if (args.buffers().size() == p.buffers.size() && args.params().size() == p.params.size()) {
      return Ok{};
    }
    return Diagnostic::error(code::KernelArgMismatch,
                             fmt::format("these LaunchArgs were not made for kernel `{}`", p.name),
                             "make the arguments with the same kernel's args()");
  }
  const DeviceBuffer* buffer(std::size_t i) const { return &args.buffers()[i]; }
  const Scalar* param(std::size_t i) const { return &args.params()[i]; }
};

Diagnostic mismatch(const ir::ProgramData& p, std::string what) {
  return Diagnostic::error(code::KernelArgMismatch,
                           fmt::format("launch of `{}`: {}", p.name, std::move(what)),
                           "bind buffers of the declared element type and count on the kernel's "
                           "device, and params of the declared type");
}

template <class Args>
Status bind(const PreparedKernel::State& s, const Args& args, DeviceBindings& out,
            LaunchGeometry& geometry, bool (*param_given)(const Args&, std::size_t)) {
  const ir::ProgramData& p = *s.program;
  VYRE_TRY(args.arity(p));
  for (std::size_t i = 0; i < s.caller_buffers(); ++i) {
    const DeviceBuffer* buffer = args.buffer(i);
    if (buffer == nullptr) {
      return mismatch(
          p, fmt::format("argument {} should be buffer `{}`, not a scalar", i, p.buffers[i].name));
    }
    if (buffer->released()) {
      return Diagnostic::error(
          code::BufferReleased,
          fmt::format("launch of `{}`: buffer `{}` was released", p.name, p.buffers[i].name),
          "keep the buffer until its last use, or allocate a new one");
    }
    if (!buffer->valid())
      return mismatch(p, fmt::format("buffer `{}` is not set", p.buffers[i].name));
    if (!(buffer->allocation()->device() == s.key)) {
      return Diagnostic::error(code::WrongDevice,
                               fmt::format("launch of `{}` on {}: buffer `{}` lives on {}", p.name,
                                           s.device.id(), p.buffers[i].name, buffer->device().id()),
                               "allocate the buffer on the kernel's device, or prepare the kernel "
                               "for the buffer's device");
    }
    if (buffer->element() != p.buffers[i].element) {
      return mismatch(
          p, fmt::format("buffer `{}` is declared {}, but holds {}", p.buffers[i].name,
                         ir::type_name(p.buffers[i].element), ir::type_name(buffer->element())));
    }
    out.buffers[i] = buffer->unchecked_view();
  }
  for (std::size_t i = 0; i < p.params.size(); ++i) {
    const Scalar* value = args.param(i);
    if (value == nullptr) {
      return mismatch(p, fmt::format("argument {} should be param `{}`, not a buffer",
                                     p.buffers.size() + i, p.params[i].name));
    }
    if (param_given != nullptr && !param_given(args, i)) {
      return mismatch(p, fmt::format("param `{}` is not set", p.params[i].name));
    }
    if (value->type != p.params[i].type) {
      return mismatch(p, fmt::format("param `{}` is {}, but a {} was given", p.params[i].name,
                                     ir::type_name(p.params[i].type), ir::type_name(value->type)));
    }
    out.params[i] = *value;
  }
  // Size symbols: explicit, or the count of the buffer that determines them.
  for (std::size_t k = 0; k < s.sizes.size(); ++k) {
    const PreparedKernel::State::SizeSource& source = s.sizes[k];
    if (source.buffer < 0) {
      out.sizes[k] = source.value;
      continue;
    }
    const std::uint64_t count = out.buffers[static_cast<std::size_t>(source.buffer)].count;
    if (count % source.divisor != 0) {
      return mismatch(p, fmt::format("buffer `{}` has {} elements, not a multiple of {}",
                                     p.buffers[static_cast<std::size_t>(source.buffer)].name, count,
                                     source.divisor));
    }
    out.sizes[k] = count / source.divisor;
  }
  for (std::size_t i = 0; i < s.caller_buffers(); ++i) {
    const std::uint64_t expected = s.buffer_counts[i].evaluate(out.sizes);
    if (out.buffers[i].count != expected) {
      return mismatch(
          p, fmt::format("buffer `{}` has {} elements, declared {} = {}", p.buffers[i].name,
                         out.buffers[i].count, ir::to_string(p.buffers[i].count), expected));
    }
  }
  geometry.workgroup = s.pipeline->workgroup();
  if (s.grid) {
    geometry.groups = *s.grid;
  } else {
    for (int d = 0; d < 3; ++d) {
      const std::uint64_t threads = s.threads[d].evaluate(out.sizes);
      const std::uint64_t w = geometry.workgroup[d];
      geometry.groups[d] = threads / w + (threads % w != 0 ? 1 : 0);
    }
  }
  for (int d = 0; d < 3; ++d) {
    if (geometry.groups[d] > s.max_groups[d]) {
      return Diagnostic::error(code::TooManyGroups,
                               fmt::format("launch of `{}`: {} workgroups along dimension {}, over "
                                           "the device's limit of {}",
                                           p.name, geometry.groups[d], d, s.max_groups[d]),
                               "use a larger workgroup, or split the work over dimensions");
    }
  }
  return Ok{};
}

bool slot_param_given(const SlotArgs& args, std::size_t i) {
  return args.args.param_set(i);
}

// Enqueues the scratch bindings, with the stream's loop status word bound and watched.
Status launch_bound(PreparedKernel::State& s, const Stream& stream) {
  std::shared_ptr<StatusWord> word = VYRE_TRY(s.status_word_for(stream));
  if (word) s.scratch.buffers[*s.status_buffer] = word->buffer.unchecked_view();
  VYRE_TRY(stream.backend_stream().launch(*s.pipeline, s.scratch, s.scratch_geometry));
  if (word) stream.watch(word);
  return Ok{};
}

// A recorded launch's own status word, bound into `command` (nothing without while loops).
Status bind_recorded_status(const PreparedKernel::State& s, GraphCommand& command) {
  if (!s.status_buffer) return Ok{};
  command.status = VYRE_TRY(s.make_status_word());
  command.bindings.buffers[*s.status_buffer] = command.status->buffer.unchecked_view();
  return Ok{};
}

}  // namespace

std::uint64_t PreparedKernel::State::Count::evaluate(
    const std::vector<std::uint64_t>& sizes) const {
  std::uint64_t n = constant;
  for (std::uint32_t symbol : symbols) n *= sizes[symbol];
  return n;
}

Status PreparedKernel::launch(std::initializer_list<KernelArg> args, const Stream& stream) const {
  return launch(std::span<const KernelArg>(args.begin(), args.size()), stream);
}

Status PreparedKernel::launch(std::span<const KernelArg> args, const Stream& stream) const {
  State& s = *state_;
  VYRE_TRY(s.check_stream(stream));
  std::lock_guard lock(s.scratch_mutex);
  VYRE_TRY(bind(s, SpanArgs{args, s.caller_buffers()}, s.scratch, s.scratch_geometry,
                static_cast<bool (*)(const SpanArgs&, std::size_t)>(nullptr)));
  return launch_bound(s, stream);
}

Status PreparedKernel::launch(const LaunchArgs& args, const Stream& stream) const {
  State& s = *state_;
  VYRE_TRY(s.check_stream(stream));
  std::lock_guard lock(s.scratch_mutex);
  VYRE_TRY(bind(s, SlotArgs{args}, s.scratch, s.scratch_geometry, &slot_param_given));
  return launch_bound(s, stream);
}

namespace {

std::vector<std::shared_ptr<DeviceAllocation>> keep_of(const DeviceBindings& bindings) {
  std::vector<std::shared_ptr<DeviceAllocation>> keep;
  for (const auto& view : bindings.buffers) keep.push_back(view.allocation->shared_from_this());
  return keep;
}

}  // namespace

Result<GraphNode> PreparedKernel::record(GraphRecording& recording, const LaunchArgs& args) const {
  State& s = *state_;
  VYRE_TRY(s.check_device(recording.device(), "a graph recording"));
  GraphCommand command;
  command.kind = GraphCommand::Kind::Launch;
  command.pipeline = s.pipeline;
  command.bindings = s.empty_bindings();
  VYRE_TRY(bind(s, SlotArgs{args}, command.bindings, command.geometry, &slot_param_given));
  VYRE_TRY(bind_recorded_status(s, command));
  command.keep = keep_of(command.bindings);
  return recording.add(std::move(command));
}

Result<GraphNode> PreparedKernel::record(GraphRecording& recording,
                                         std::initializer_list<KernelArg> args) const {
  State& s = *state_;
  VYRE_TRY(s.check_device(recording.device(), "a graph recording"));
  GraphCommand command;
  command.kind = GraphCommand::Kind::Launch;
  command.pipeline = s.pipeline;
  command.bindings = s.empty_bindings();
  VYRE_TRY(bind(s,
                SpanArgs{std::span<const KernelArg>(args.begin(), args.size()), s.caller_buffers()},
                command.bindings, command.geometry,
                static_cast<bool (*)(const SpanArgs&, std::size_t)>(nullptr)));
  VYRE_TRY(bind_recorded_status(s, command));
  command.keep = keep_of(command.bindings);
  return recording.add(std::move(command));
}

namespace {

Status check_node(const PreparedKernel::State& s, const Graph& graph, GraphNode node) {
  const auto& commands = graph.recording().commands();
  if (node.index >= commands.size() || commands[node.index].kind != GraphCommand::Kind::Launch ||
      commands[node.index].pipeline != s.pipeline) {
    return Diagnostic::error(code::BadGraphNode,
                             fmt::format("node {} of this graph is not a launch of kernel `{}`",
                                         node.index, s.program->name),
                             "update a node that recording this kernel returned");
  }
  return Ok{};
}

// An updated launch keeps the node's status word.
void keep_status(const PreparedKernel::State& s, const Graph& graph, GraphNode node,
                 DeviceBindings& bindings) {
  if (!s.status_buffer) return;
  const GraphCommand& command = graph.recording().commands()[node.index];
  // A node recorded without PreparedKernel keeps the status binding it was recorded with.
  bindings.buffers[*s.status_buffer] = command.status ? command.status->buffer.unchecked_view()
                                                      : command.bindings.buffers[*s.status_buffer];
}

}  // namespace

Status PreparedKernel::update(Graph& graph, GraphNode node, const LaunchArgs& args) const {
  State& s = *state_;
  VYRE_TRY(check_node(s, graph, node));
  DeviceBindings bindings = s.empty_bindings();
  LaunchGeometry geometry;
  VYRE_TRY(bind(s, SlotArgs{args}, bindings, geometry, &slot_param_given));
  keep_status(s, graph, node, bindings);
  return graph.update_launch(node, bindings, geometry, keep_of(bindings));
}

Status PreparedKernel::update(Graph& graph, GraphNode node,
                              std::initializer_list<KernelArg> args) const {
  State& s = *state_;
  VYRE_TRY(check_node(s, graph, node));
  DeviceBindings bindings = s.empty_bindings();
  LaunchGeometry geometry;
  VYRE_TRY(bind(s,
                SpanArgs{std::span<const KernelArg>(args.begin(), args.size()), s.caller_buffers()},
                bindings, geometry, static_cast<bool (*)(const SpanArgs&, std::size_t)>(nullptr)));
  keep_status(s, graph, node, bindings);
  return graph.update_launch(node, bindings, geometry, keep_of(bindings));
}

}  // namespace vyre
