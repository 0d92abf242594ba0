// Owning wrappers for OpenCL objects (release on destruction, retain on copy) and the error
// names diagnostics print.
#pragma once

#include <CL/cl.h>

#include <string>
#include <string_view>
#include <utility>

#include "vyre/diag/diagnostic.h"

namespace vyre::opencl {

template <class T, cl_int (*Retain)(T), cl_int (*Release)(T)>
class ClHandle {
 public:
  ClHandle() = default;
  explicit ClHandle(T handle) : handle_(handle) {}  // takes ownership of one reference
  ClHandle(const ClHandle& other) : handle_(other.handle_) {
    if (handle_ != nullptr) Retain(handle_);
  }
  ClHandle(ClHandle&& other) noexcept : handle_(std::exchange(other.handle_, nullptr)) {}
  ClHandle& operator=(ClHandle other) noexcept {
    std::swap(handle_, other.handle_);
    return *this;
  }
  ~ClHandle() {
    if (handle_ != nullptr) Release(handle_);
  }
  T get() const { return handle_; }
  explicit operator bool() const { return handle_ != nullptr; }

 private:
  T handle_ = nullptr;
};

using ClContext = ClHandle<cl_context, clRetainContext, clReleaseContext>;
using ClQueue = ClHandle<cl_command_queue, clRetainCommandQueue, clReleaseCommandQueue>;
using ClProgram = ClHandle<cl_program, clRetainProgram, clReleaseProgram>;
using ClKernel = ClHandle<cl_kernel, clRetainKernel, clReleaseKernel>;
using ClMem = ClHandle<cl_mem, clRetainMemObject, clReleaseMemObject>;
using ClEvent = ClHandle<cl_event, clRetainEvent, clReleaseEvent>;

// "CL_OUT_OF_RESOURCES (-5)".
std::string cl_error_name(cl_int error);

// DeviceApiError (VY4102), or DeviceOutOfMemory (VY4104), for a failed OpenCL call, with a help
// line fitting the error: "clCreateBuffer failed: CL_OUT_OF_RESOURCES (-5) while allocating buffer
// `y`".
Diagnostic api_error(std::string_view call, cl_int err, std::string_view context = {});

}  // namespace vyre::opencl
