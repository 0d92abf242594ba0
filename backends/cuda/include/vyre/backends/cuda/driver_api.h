// The CUDA driver API entry points vyre uses, resolved from libcuda.so.1 with dlopen/dlsym at
// run time. vyre never links libcuda, so the same binary starts (and compiles with NVRTC) on a
// machine without a GPU; there the load fails with a diagnostic instead of a link error.
#pragma once

#include <cuda.h>

#include <string>
#include <string_view>

#include "vyre/diag/result.h"

namespace vyre::cuda {

// One pointer per driver function. Each has the type of the declaration cuda.h maps the plain
// name to (cuMemAlloc -> cuMemAlloc_v2), and is looked up under that versioned name.
struct DriverApi {
  decltype(&::cuInit) init = nullptr;
  decltype(&::cuDriverGetVersion) driver_get_version = nullptr;
  decltype(&::cuDeviceGet) device_get = nullptr;
  decltype(&::cuDeviceGetCount) device_get_count = nullptr;
  decltype(&::cuDeviceGetName) device_get_name = nullptr;
  decltype(&::cuDeviceGetAttribute) device_get_attribute = nullptr;
  decltype(&::cuDeviceTotalMem) device_total_mem = nullptr;
  decltype(&::cuDevicePrimaryCtxRetain) primary_ctx_retain = nullptr;
  decltype(&::cuDevicePrimaryCtxRelease) primary_ctx_release = nullptr;
  decltype(&::cuDevicePrimaryCtxReset) primary_ctx_reset = nullptr;
  decltype(&::cuCtxSetCurrent) ctx_set_current = nullptr;
  decltype(&::cuStreamCreate) stream_create = nullptr;
  decltype(&::cuStreamDestroy) stream_destroy = nullptr;
  decltype(&::cuStreamSynchronize) stream_synchronize = nullptr;
  decltype(&::cuMemAlloc) mem_alloc = nullptr;
  decltype(&::cuMemFree) mem_free = nullptr;
  decltype(&::cuMemcpyHtoDAsync) memcpy_htod_async = nullptr;
  decltype(&::cuMemcpyDtoHAsync) memcpy_dtoh_async = nullptr;
  decltype(&::cuMemcpyDtoDAsync) memcpy_dtod_async = nullptr;
  decltype(&::cuMemsetD8) memset_d8 = nullptr;
  decltype(&::cuMemsetD8Async) memset_d8_async = nullptr;
  decltype(&::cuModuleLoadData) module_load_data = nullptr;
  decltype(&::cuModuleGetFunction) module_get_function = nullptr;
  decltype(&::cuModuleUnload) module_unload = nullptr;
  decltype(&::cuLaunchKernel) launch_kernel = nullptr;
  decltype(&::cuEventCreate) event_create = nullptr;
  decltype(&::cuEventRecord) event_record = nullptr;
  decltype(&::cuEventQuery) event_query = nullptr;
  decltype(&::cuEventSynchronize) event_synchronize = nullptr;
  decltype(&::cuEventDestroy) event_destroy = nullptr;
  decltype(&::cuEventElapsedTime) event_elapsed_time = nullptr;
  decltype(&::cuGetErrorName) get_error_name = nullptr;
  decltype(&::cuGetErrorString) get_error_string = nullptr;

  // Device memory that stays on the device: stream-ordered pools, pinned host staging, fills,
  // and the figures an out-of-memory diagnostic names.
  decltype(&::cuCtxSynchronize) ctx_synchronize = nullptr;
  decltype(&::cuMemGetInfo) mem_get_info = nullptr;
  decltype(&::cuMemPoolCreate) mem_pool_create = nullptr;
  decltype(&::cuMemPoolDestroy) mem_pool_destroy = nullptr;
  decltype(&::cuMemPoolSetAttribute) mem_pool_set_attribute = nullptr;
  decltype(&::cuMemPoolGetAttribute) mem_pool_get_attribute = nullptr;
  decltype(&::cuMemPoolTrimTo) mem_pool_trim_to = nullptr;
  decltype(&::cuMemAllocFromPoolAsync) mem_alloc_from_pool_async = nullptr;
  decltype(&::cuMemFreeAsync) mem_free_async = nullptr;
  decltype(&::cuMemHostAlloc) mem_host_alloc = nullptr;
  decltype(&::cuMemFreeHost) mem_free_host = nullptr;
  decltype(&::cuMemHostRegister) mem_host_register = nullptr;
  decltype(&::cuMemHostUnregister) mem_host_unregister = nullptr;
  decltype(&::cuMemsetD16Async) memset_d16_async = nullptr;
  decltype(&::cuMemsetD32Async) memset_d32_async = nullptr;

  // User streams and the events that order them.
  decltype(&::cuStreamQuery) stream_query = nullptr;
  decltype(&::cuStreamWaitEvent) stream_wait_event = nullptr;

  // Recorded graphs: built node by node, instantiated once, kernel parameters updated in place.
  decltype(&::cuStreamBeginCapture) stream_begin_capture = nullptr;
  decltype(&::cuStreamEndCapture) stream_end_capture = nullptr;
  decltype(&::cuStreamIsCapturing) stream_is_capturing = nullptr;
  decltype(&::cuGraphCreate) graph_create = nullptr;
  decltype(&::cuGraphDestroy) graph_destroy = nullptr;
  decltype(&::cuGraphAddKernelNode) graph_add_kernel_node = nullptr;
  decltype(&::cuGraphAddMemcpyNode) graph_add_memcpy_node = nullptr;
  decltype(&::cuGraphAddMemsetNode) graph_add_memset_node = nullptr;
  decltype(&::cuGraphAddEmptyNode) graph_add_empty_node = nullptr;
  decltype(&::cuGraphAddEventRecordNode) graph_add_event_record_node = nullptr;
  decltype(&::cuGraphAddEventWaitNode) graph_add_event_wait_node = nullptr;
  decltype(&::cuGraphGetNodes) graph_get_nodes = nullptr;
  decltype(&::cuGraphNodeGetType) graph_node_get_type = nullptr;
  decltype(&::cuGraphInstantiate) graph_instantiate = nullptr;
  decltype(&::cuGraphUpload) graph_upload = nullptr;
  decltype(&::cuGraphLaunch) graph_launch = nullptr;
  decltype(&::cuGraphExecDestroy) graph_exec_destroy = nullptr;
  decltype(&::cuGraphExecKernelNodeSetParams) graph_exec_kernel_node_set_params = nullptr;
  decltype(&::cuGraphExecMemcpyNodeSetParams) graph_exec_memcpy_node_set_params = nullptr;
  decltype(&::cuGraphExecMemsetNodeSetParams) graph_exec_memset_node_set_params = nullptr;
  decltype(&::cuGraphExecUpdate) graph_exec_update = nullptr;
};

// Loads libcuda.so.1 and every entry point once per process (thread-safe); later calls return
// the same table or the same diagnostic (BackendUnavailable, VY4003). Does not call cuInit.
Result<const DriverApi*> load_driver_api();

// "CUDA_ERROR_ILLEGAL_ADDRESS (an illegal memory access was encountered)".
std::string describe_error(const DriverApi& api, CUresult result);

// Whether `result` leaves the context unusable (every later call fails the same way), so the
// primary context must be reset and rebuilt.
bool poisons_context(CUresult result);

// The diagnostic for a failed driver call that does not poison the context: DeviceOutOfMemory
// (VY4104) for allocation failures, DeviceApiError (VY4102) otherwise.
Diagnostic driver_error(const DriverApi& api, CUresult result, std::string_view call,
                        std::string_view during);

}  // namespace vyre::cuda
