#include "dlpack_exchange.h"

#include <cstring>
#include <memory>
#include <optional>
#include <vector>

#include "device_array.h"
#include "dlpack.h"
#include "dtypes.h"
#include "errors.h"
#include "runtime_access.h"
#include "vyre/backend/backend.h"
#include "vyre/backend/device_allocator.h"
#include "vyre/backend/stream.h"
#include "vyre/diag/codes.h"

namespace py = pybind11;

namespace vyre::python {
namespace {

[[noreturn]] void unsupported(std::string message, std::string help) {
  raise_error(argument_error(code::DlpackUnsupported, std::move(message), std::move(help)));
}

// ---- export ---------------------------------------------------------------------------------

struct ExportContext {
  DeviceBuffer buffer;  // keeps the device memory alive while the consumer holds it
  HostBuffer copy;      // the host copy, when the memory itself cannot be shared
  std::vector<std::int64_t> shape;
};

void delete_exported(dlpack::ManagedTensor* self) {
  delete static_cast<ExportContext*>(self->manager_ctx);
  delete self;
}

dlpack::DataType data_type_of(ir::Type type) {
  const auto bits = static_cast<std::uint8_t>(ir::size_bytes(type) * 8);
  switch (type) {
    case ir::Type::Bool:
      return {dlpack::kBool, 8, 1};
    case ir::Type::F32:
    case ir::Type::F64:
      return {dlpack::kFloat, bits, 1};
    case ir::Type::I32:
    case ir::Type::I64:
      return {dlpack::kInt, bits, 1};
    default:
      return {dlpack::kUInt, bits, 1};
  }
}

// Where the array's memory can be handed out without a copy.
enum class Shared { Host, Cuda, No };

Shared sharing_of(const DeviceBuffer& buffer) {
  if (buffer.allocation()->block().host != nullptr) return Shared::Host;
  if (buffer.device().backend().id() == "cuda") return Shared::Cuda;
  return Shared::No;
}

[[noreturn]] void buffer_error(const std::string& message) {
  PyErr_SetString(PyExc_BufferError, message.c_str());
  throw py::error_already_set();
}

}  // namespace

py::tuple dlpack_device(const DeviceArray& array) {
  switch (sharing_of(array.buffer)) {
    case Shared::Cuda:
      return py::make_tuple(static_cast<int>(dlpack::kCUDA), array.buffer.device().index());
    default:
      return py::make_tuple(static_cast<int>(dlpack::kCPU), 0);
  }
}

namespace {

// What a consumer's `stream` asks of the producer (the DLPack Python specification): the
// native stream to order after vyre's default stream, or nothing for -1 ("no synchronization").
// For CUDA, None is the legacy default stream (1), 2 the per-thread default stream, a larger
// number a CUstream; 0 is ambiguous and refused. Memory without streams takes None only.
std::optional<std::uintptr_t> consumer_stream(const py::object& stream, bool cuda,
                                              const Device& device) {
  if (!cuda) {
    if (stream.is_none()) return std::nullopt;
    unsupported("__dlpack__(stream=" + py::repr(stream).cast<std::string>() +
                    "): a vyre.Array on " + device.id() +
                    " is exported as host memory, which takes stream=None",
                "call __dlpack__() without a stream (numpy.from_dlpack does); the export waits "
                "for the device's work itself");
  }
  if (stream.is_none()) return std::uintptr_t{1};  // CU_STREAM_LEGACY
  if (!PyLong_Check(stream.ptr())) {
    unsupported("__dlpack__(stream=...) takes an integer for a CUDA array, not " +
                    py::str(py::type::of(stream).attr("__name__")).cast<std::string>(),
                "pass the consumer stream's handle (cupy's Stream.ptr, torch's "
                "Stream.cuda_stream), 1, 2, or -1");
  }
  const long long value = stream.cast<long long>();
  if (value == -1) return std::nullopt;
  if (value <= 0) {
    unsupported("__dlpack__(stream=" + std::to_string(value) +
                    ") is not a CUDA stream DLPack allows (0 is ambiguous)",
                "pass 1 for the legacy default stream, 2 for the per-thread default stream, a "
                "CUstream handle, or -1 for no synchronization");
  }
  return static_cast<std::uintptr_t>(value);
}

}  // namespace

py::capsule dlpack_export(const DeviceArray& array, const py::object& stream,
                          const py::object& /*max_version*/, const py::object& dl_device,
                          const py::object& copy) {
  const DeviceBuffer& buffer = array.buffer;
  const Device& device = buffer.device();
  Shared shared = sharing_of(buffer);
  const bool wants_host = !dl_device.is_none() &&
                          py::cast<int>(py::tuple(dl_device)[0]) == dlpack::kCPU &&
                          shared == Shared::Cuda;
  const bool must_copy =
      shared == Shared::No || wants_host || (!copy.is_none() && py::cast<bool>(copy));
  if (must_copy && !copy.is_none() && !py::cast<bool>(copy)) {
    buffer_error("vyre.Array on " + device.id() +
                 " cannot be shared without a copy (its memory is not host-addressable)");
  }
  auto context = std::make_unique<ExportContext>();
  context->buffer = buffer;
  context->shape.assign(array.shape.begin(), array.shape.end());
  void* data = nullptr;
  dlpack::Device dl{dlpack::kCPU, 0};
  // The consumer sees every result queued so far (kernel calls go to the default stream):
  // memory handed out as device memory orders the consumer's stream after that stream on the
  // device; host memory (shared or a copy) is handed out once the stream finished.
  const Stream producer = unwrap(device.default_stream());
  if (shared == Shared::Cuda && !must_copy) {
    if (auto native = consumer_stream(stream, true, device)) {
      unwrap(released([&] { return producer.order_native_stream(*native); }));
    }
  } else {
    if (shared != Shared::Cuda) consumer_stream(stream, false, device);
    unwrap(released([&] { return producer.synchronize(); }));
    if (must_copy) {
      context->copy = unwrap(released([&] { return buffer.download(); }));
    }
  }
  if (must_copy) {
    data = context->copy.data();
  } else if (shared == Shared::Host) {
    data = static_cast<std::uint8_t*>(buffer.allocation()->block().host) +
           buffer.first() * ir::size_bytes(buffer.element());
  } else {
    // The backend's address for the block (a CUdeviceptr), not its opaque handle.
    const std::uintptr_t base = *device.backend().block_address(buffer.allocation()->block());
    data = reinterpret_cast<void*>(base + buffer.first() * ir::size_bytes(buffer.element()));
    dl = {dlpack::kCUDA, static_cast<std::int32_t>(device.index())};
  }
  auto* tensor = new dlpack::ManagedTensor{};
  tensor->dl_tensor.data = data;
  tensor->dl_tensor.device = dl;
  tensor->dl_tensor.ndim = static_cast<std::int32_t>(context->shape.size());
  tensor->dl_tensor.dtype = data_type_of(buffer.element());
  tensor->dl_tensor.shape = context->shape.data();
  tensor->dl_tensor.strides = nullptr;
  tensor->dl_tensor.byte_offset = 0;
  tensor->manager_ctx = context.release();
  tensor->deleter = &delete_exported;
  return py::capsule(tensor, "dltensor", [](PyObject* capsule) {
    // Still named "dltensor": nobody consumed it, so its memory is ours to release.
    if (PyCapsule_IsValid(capsule, "dltensor")) {
      auto* t = static_cast<dlpack::ManagedTensor*>(PyCapsule_GetPointer(capsule, "dltensor"));
      if (t != nullptr && t->deleter != nullptr) t->deleter(t);
    }
  });
}

// ---- import ---------------------------------------------------------------------------------

namespace {

// Adopted memory: the block is the producer's; giving it back runs the producer's deleter
// (under the GIL: NumPy's deleter releases a Python reference).

std::optional<ir::Type> element_of(const dlpack::DataType& t) {
  if (t.lanes != 1) return std::nullopt;
  if (t.code == dlpack::kBool && t.bits == 8) return ir::Type::Bool;
  if (t.code == dlpack::kFloat && t.bits == 32) return ir::Type::F32;
  if (t.code == dlpack::kFloat && t.bits == 64) return ir::Type::F64;
  if (t.code == dlpack::kInt && t.bits == 32) return ir::Type::I32;
  if (t.code == dlpack::kInt && t.bits == 64) return ir::Type::I64;
  if (t.code == dlpack::kUInt && t.bits == 32) return ir::Type::U32;
  if (t.code == dlpack::kUInt && t.bits == 64) return ir::Type::U64;
  return std::nullopt;
}

bool c_contiguous(const dlpack::Tensor& t) {
  if (t.strides == nullptr) return true;
  std::int64_t expected = 1;
  for (std::int32_t d = t.ndim - 1; d >= 0; --d) {
    if (t.shape[d] != 1 && t.strides[d] != expected) return false;
    expected *= t.shape[d];
  }
  return true;
}

// Owns a consumed tensor until it is adopted or copied.
struct ConsumedTensor {
  dlpack::ManagedTensor* tensor = nullptr;
  ~ConsumedTensor() {
    if (tensor != nullptr && tensor->deleter != nullptr) tensor->deleter(tensor);
  }
};

}  // namespace

DeviceArray dlpack_import(const py::object& x, const py::object& device) {
  if (py::isinstance<DeviceArray>(x) && device.is_none()) return x.cast<DeviceArray>();
  if (!py::hasattr(x, "__dlpack__") || !py::hasattr(x, "__dlpack_device__")) {
    unsupported(
        "vyre.from_dlpack: " + py::str(py::type::of(x).attr("__name__")).cast<std::string>() +
            " has no __dlpack__ / __dlpack_device__",
        "pass a NumPy, CuPy, PyTorch or JAX array, or use vyre.asarray to copy");
  }
  py::tuple where = x.attr("__dlpack_device__")();
  const int type = py::cast<int>(where[0]);
  const int index = py::cast<int>(where[1]);
  const bool host = type == dlpack::kCPU || type == dlpack::kCUDAHost;
  if (!host && type != dlpack::kCUDA) {
    unsupported("vyre.from_dlpack: DLPack device type " + std::to_string(type) +
                    " is neither host memory nor CUDA memory",
                "copy the array to host memory first (for example with .cpu() or numpy)");
  }
  std::string spec = device.is_none()
                         ? (host ? std::string("reference") : "cuda:" + std::to_string(index))
                         : device.cast<std::string>();
  const Device& target = device_for(spec);
  // CUDA memory: the producer orders the legacy default stream (1) after its work; vyre's default
  // stream waits for that one below.
  py::object capsule = host ? x.attr("__dlpack__")() : x.attr("__dlpack__")(py::arg("stream") = 1);
  if (!PyCapsule_IsValid(capsule.ptr(), "dltensor")) {
    unsupported("vyre.from_dlpack: __dlpack__ did not return a \"dltensor\" capsule",
                "the producer must support the DLPack capsule protocol");
  }
  ConsumedTensor consumed;
  consumed.tensor =
      static_cast<dlpack::ManagedTensor*>(PyCapsule_GetPointer(capsule.ptr(), "dltensor"));
  PyCapsule_SetName(capsule.ptr(), "used_dltensor");
  PyCapsule_SetDestructor(capsule.ptr(), nullptr);
  const dlpack::Tensor& t = consumed.tensor->dl_tensor;
  auto element = element_of(t.dtype);
  if (!element) {
    unsupported("vyre.from_dlpack: DLPack dtype (code " + std::to_string(t.dtype.code) + ", " +
                    std::to_string(t.dtype.bits) + " bits, " + std::to_string(t.dtype.lanes) +
                    " lanes) has no vyre element type",
                "vyre buffers hold bool, int32, uint32, int64, uint64, float32 or float64");
  }
  if (!c_contiguous(t)) {
    unsupported("vyre.from_dlpack: the tensor is strided (not C-contiguous)",
                "make it contiguous first (numpy.ascontiguousarray, .contiguous())");
  }
  DeviceArray out;
  std::uint64_t count = 1;
  for (std::int32_t d = 0; d < t.ndim; ++d) {
    out.shape.push_back(static_cast<std::uint64_t>(t.shape[d]));
    count *= static_cast<std::uint64_t>(t.shape[d]);
  }
  auto* data = static_cast<std::uint8_t*>(t.data) + t.byte_offset;
  const std::uint64_t bytes = count * ir::size_bytes(*element);
  const std::string backend(target.backend().id());
  const bool adopt =
      (host && backend == "reference") ||
      (!host && backend == "cuda" && target.index() == static_cast<std::uint32_t>(index));
  if (adopt) {
    if (!host) {
      // Kernel calls go to the default stream: it starts after the producer's work, on the device.
      const Stream consumer = unwrap(target.default_stream());
      unwrap(released([&] { return consumer.wait_for_native_stream(1); }));
    }
    dlpack::ManagedTensor* tensor = std::exchange(consumed.tensor, nullptr);
    // The producer's deleter runs when vyre's last use of the memory ends (with the GIL).
    auto release = [tensor] {
      if (tensor->deleter == nullptr || !Py_IsInitialized()) return;
      PyGILState_STATE state = PyGILState_Ensure();
      tensor->deleter(tensor);
      PyGILState_Release(state);
    };
    auto adopted = target.adopt(data, *element, count, release);
    if (!adopted) release();  // the producer gets its tensor back before the error
    out.buffer = unwrap(std::move(adopted));
    return out;
  }
  if (!host) {
    unsupported("vyre.from_dlpack: CUDA memory of device " + std::to_string(index) +
                    " cannot be used on " + target.id(),
                "pass device=\"cuda:" + std::to_string(index) +
                    "\", or copy the array to host memory first");
  }
  out.buffer = unwrap(released([&] { return target.allocate(*element, count); }));
  unwrap(released([&] { return out.buffer.upload(std::span<const std::uint8_t>(data, bytes)); }));
  return out;
}

}  // namespace vyre::python
