#include "vyre/backends/cuda/driver_api.h"

#include <dlfcn.h>

#include <mutex>

#include "vyre/backends/cuda/codes.h"

namespace vyre::cuda {
namespace {

// Expands cuda.h's mapping first, so VYRE_SYMBOL(cuMemAlloc) is "cuMemAlloc_v2".
#define VYRE_SYMBOL_TEXT(name) #name
#define VYRE_SYMBOL(name) VYRE_SYMBOL_TEXT(name)

Result<const DriverApi*> load_once() {
  static DriverApi api;
  dlerror();
  void* library = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
  if (library == nullptr) {
    const char* why = dlerror();
    return Diagnostic::error(code::BackendUnavailable,
                             "the CUDA driver library libcuda.so.1 could not be loaded: " +
                                 std::string(why != nullptr ? why : "unknown reason"),
                             "install the NVIDIA driver (or run where a GPU and its driver are "
                             "visible), or choose another backend with --backend");
  }
  std::string missing;
  auto resolve = [&](auto& slot, const char* symbol) {
    slot = reinterpret_cast<std::remove_reference_t<decltype(slot)>>(dlsym(library, symbol));
    if (slot == nullptr) missing += (missing.empty() ? "" : ", ") + std::string(symbol);
  };
#define VYRE_RESOLVE(field, name) resolve(api.field, VYRE_SYMBOL(name))
  VYRE_RESOLVE(init, cuInit);
  VYRE_RESOLVE(driver_get_version, cuDriverGetVersion);
  VYRE_RESOLVE(device_get, cuDeviceGet);
  VYRE_RESOLVE(device_get_count, cuDeviceGetCount);
  VYRE_RESOLVE(device_get_name, cuDeviceGetName);
  VYRE_RESOLVE(device_get_attribute, cuDeviceGetAttribute);
  VYRE_RESOLVE(device_total_mem, cuDeviceTotalMem);
  VYRE_RESOLVE(primary_ctx_retain, cuDevicePrimaryCtxRetain);
  VYRE_RESOLVE(primary_ctx_release, cuDevicePrimaryCtxRelease);
  VYRE_RESOLVE(primary_ctx_reset, cuDevicePrimaryCtxReset);
  VYRE_RESOLVE(ctx_set_current, cuCtxSetCurrent);
  VYRE_RESOLVE(stream_create, cuStreamCreate);
  VYRE_RESOLVE(stream_destroy, cuStreamDestroy);
  VYRE_RESOLVE(stream_synchronize, cuStreamSynchronize);
  VYRE_RESOLVE(mem_alloc, cuMemAlloc);
  VYRE_RESOLVE(mem_free, cuMemFree);
  VYRE_RESOLVE(memcpy_htod_async, cuMemcpyHtoDAsync);
  VYRE_RESOLVE(memcpy_dtoh_async, cuMemcpyDtoHAsync);
  VYRE_RESOLVE(memcpy_dtod_async, cuMemcpyDtoDAsync);
  VYRE_RESOLVE(memset_d8, cuMemsetD8);
  VYRE_RESOLVE(memset_d8_async, cuMemsetD8Async);
  VYRE_RESOLVE(module_load_data, cuModuleLoadData);
  VYRE_RESOLVE(module_get_function, cuModuleGetFunction);
  VYRE_RESOLVE(module_unload, cuModuleUnload);
  VYRE_RESOLVE(launch_kernel, cuLaunchKernel);
  VYRE_RESOLVE(event_create, cuEventCreate);
  VYRE_RESOLVE(event_record, cuEventRecord);
  VYRE_RESOLVE(event_query, cuEventQuery);
  VYRE_RESOLVE(event_synchronize, cuEventSynchronize);
  VYRE_RESOLVE(event_destroy, cuEventDestroy);
  VYRE_RESOLVE(event_elapsed_time, cuEventElapsedTime);
  VYRE_RESOLVE(get_error_name, cuGetErrorName);
  VYRE_RESOLVE(get_error_string, cuGetErrorString);
  VYRE_RESOLVE(ctx_synchronize, cuCtxSynchronize);
  VYRE_RESOLVE(mem_get_info, cuMemGetInfo);
  VYRE_RESOLVE(mem_pool_create, cuMemPoolCreate);
  VYRE_RESOLVE(mem_pool_destroy, cuMemPoolDestroy);
  VYRE_RESOLVE(mem_pool_set_attribute, cuMemPoolSetAttribute);
  VYRE_RESOLVE(mem_pool_get_attribute, cuMemPoolGetAttribute);
  VYRE_RESOLVE(mem_pool_trim_to, cuMemPoolTrimTo);
  VYRE_RESOLVE(mem_alloc_from_pool_async, cuMemAllocFromPoolAsync);
  VYRE_RESOLVE(mem_free_async, cuMemFreeAsync);
  VYRE_RESOLVE(mem_host_alloc, cuMemHostAlloc);
  VYRE_RESOLVE(mem_free_host, cuMemFreeHost);
  VYRE_RESOLVE(mem_host_register, cuMemHostRegister);
  VYRE_RESOLVE(mem_host_unregister, cuMemHostUnregister);
  VYRE_RESOLVE(memset_d16_async, cuMemsetD16Async);
  VYRE_RESOLVE(memset_d32_async, cuMemsetD32Async);
  VYRE_RESOLVE(stream_query, cuStreamQuery);
  VYRE_RESOLVE(stream_wait_event, cuStreamWaitEvent);
  VYRE_RESOLVE(stream_begin_capture, cuStreamBeginCapture);
  VYRE_RESOLVE(stream_end_capture, cuStreamEndCapture);
  VYRE_RESOLVE(stream_is_capturing, cuStreamIsCapturing);
  VYRE_RESOLVE(graph_create, cuGraphCreate);
  VYRE_RESOLVE(graph_destroy, cuGraphDestroy);
  VYRE_RESOLVE(graph_add_kernel_node, cuGraphAddKernelNode);
  VYRE_RESOLVE(graph_add_memcpy_node, cuGraphAddMemcpyNode);
  VYRE_RESOLVE(graph_add_memset_node, cuGraphAddMemsetNode);
  VYRE_RESOLVE(graph_add_empty_node, cuGraphAddEmptyNode);
  VYRE_RESOLVE(graph_add_event_record_node, cuGraphAddEventRecordNode);
  VYRE_RESOLVE(graph_add_event_wait_node, cuGraphAddEventWaitNode);
  VYRE_RESOLVE(graph_get_nodes, cuGraphGetNodes);
  VYRE_RESOLVE(graph_node_get_type, cuGraphNodeGetType);
  VYRE_RESOLVE(graph_instantiate, cuGraphInstantiate);
  VYRE_RESOLVE(graph_upload, cuGraphUpload);
  VYRE_RESOLVE(graph_launch, cuGraphLaunch);
  VYRE_RESOLVE(graph_exec_destroy, cuGraphExecDestroy);
  VYRE_RESOLVE(graph_exec_kernel_node_set_params, cuGraphExecKernelNodeSetParams);
  VYRE_RESOLVE(graph_exec_memcpy_node_set_params, cuGraphExecMemcpyNodeSetParams);
  VYRE_RESOLVE(graph_exec_memset_node_set_params, cuGraphExecMemsetNodeSetParams);
  VYRE_RESOLVE(graph_exec_update, cuGraphExecUpdate);
#undef VYRE_RESOLVE
  if (!missing.empty()) {
    dlclose(library);
    return Diagnostic::error(
        code::BackendUnavailable,
        "the CUDA driver library libcuda.so.1 lacks entry points vyre needs (" + missing + ")",
        "the installed NVIDIA driver is too old for this build; update it");
  }
  return &api;  // the library stays loaded for the life of the process
}

}  // namespace

Result<const DriverApi*> load_driver_api() {
  static const Result<const DriverApi*> loaded = load_once();
  return loaded;
}

std::string describe_error(const DriverApi& api, CUresult result) {
  const char* name = nullptr;
  const char* text = nullptr;
  if (api.get_error_name == nullptr || api.get_error_name(result, &name) != CUDA_SUCCESS) {
    name = nullptr;
  }
  if (api.get_error_string == nullptr || api.get_error_string(result, &text) != CUDA_SUCCESS) {
    text = nullptr;
  }
  std::string out = name != nullptr ? name : "CUresult " + std::to_string(static_cast<int>(result));
  if (text != nullptr) out += std::string(" (") + text + ")";
  return out;
}

bool poisons_context(CUresult result) {
  switch (result) {
    case CUDA_ERROR_ECC_UNCORRECTABLE:
    case CUDA_ERROR_CONTAINED:
    case CUDA_ERROR_ILLEGAL_ADDRESS:
    case CUDA_ERROR_LAUNCH_TIMEOUT:
    case CUDA_ERROR_CONTEXT_IS_DESTROYED:
    case CUDA_ERROR_ASSERT:
    case CUDA_ERROR_HARDWARE_STACK_ERROR:
    case CUDA_ERROR_ILLEGAL_INSTRUCTION:
    case CUDA_ERROR_MISALIGNED_ADDRESS:
    case CUDA_ERROR_INVALID_ADDRESS_SPACE:
    case CUDA_ERROR_INVALID_PC:
    case CUDA_ERROR_LAUNCH_FAILED:
    case CUDA_ERROR_EXTERNAL_DEVICE:
      return true;
    default:
      return false;
  }
}

Diagnostic driver_error(const DriverApi& api, CUresult result, std::string_view call,
                        std::string_view during) {
  const std::string what = "cuda: " + std::string(call) + " failed while " + std::string(during) +
                           ": " + describe_error(api, result);
  if (result == CUDA_ERROR_OUT_OF_MEMORY) {
    return Diagnostic::error(code::DeviceOutOfMemory, what,
                             "use smaller buffers or fewer at once, or free device memory held "
                             "by other processes (nvidia-smi lists them)");
  }
  return Diagnostic::error(code::DeviceApiError, what,
                           "check the device with nvidia-smi; if the error persists with a "
                           "healthy device, report it with the program");
}

}  // namespace vyre::cuda
