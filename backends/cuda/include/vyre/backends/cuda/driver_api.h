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
