#include "nvrtc_api.h"

#include <dlfcn.h>

#include <type_traits>

#include "vyre/backends/cuda/codes.h"
#include "vyre/backends/cuda/environment.h"

// This build's toolkit's soname, so the NVRTC vyre was compiled against is tried first.
#ifndef VYRE_NVRTC_SONAME
#define VYRE_NVRTC_SONAME "libnvrtc.so.13"
#endif

namespace vyre::cuda {
namespace {

// Sonames of NVRTC releases whose C API is the one vyre calls; the loaded one's version enters
// the device fingerprint, so a cache never mixes cubins of two releases.
constexpr const char* kSonames[] = {VYRE_NVRTC_SONAME, "libnvrtc.so.13", "libnvrtc.so.12"};
// NVIDIA's installers put the toolkit here without always registering it with the loader.
constexpr const char* kToolkitDirs[] = {"/usr/local/cuda/lib64/", "/usr/local/cuda/lib/"};

void add_once(std::vector<std::string>& out, std::string candidate) {
  for (const std::string& seen : out) {
    if (seen == candidate) return;
  }
  out.push_back(std::move(candidate));
}

// Fills `api` from `library`; returns the names it lacks ("" when none).
std::string resolve(void* library, NvrtcApi& api) {
  std::string missing;
  auto bind = [&](auto& slot, const char* symbol) {
    slot = reinterpret_cast<std::remove_reference_t<decltype(slot)>>(dlsym(library, symbol));
    if (slot == nullptr) missing += (missing.empty() ? "" : ", ") + std::string(symbol);
  };
  bind(api.get_error_string, "nvrtcGetErrorString");
  bind(api.version, "nvrtcVersion");
  bind(api.get_num_supported_archs, "nvrtcGetNumSupportedArchs");
  bind(api.get_supported_archs, "nvrtcGetSupportedArchs");
  bind(api.create_program, "nvrtcCreateProgram");
  bind(api.destroy_program, "nvrtcDestroyProgram");
  bind(api.compile_program, "nvrtcCompileProgram");
  bind(api.get_cubin_size, "nvrtcGetCUBINSize");
  bind(api.get_cubin, "nvrtcGetCUBIN");
  bind(api.get_program_log_size, "nvrtcGetProgramLogSize");
  bind(api.get_program_log, "nvrtcGetProgramLog");
  bind(api.add_name_expression, "nvrtcAddNameExpression");
  bind(api.get_lowered_name, "nvrtcGetLoweredName");
  return missing;
}

}  // namespace

std::vector<std::string> nvrtc_library_candidates() {
  if (auto path = env_value(kNvrtcPathVariable)) return {*path};
  std::vector<std::string> out;
  for (const char* soname : kSonames) add_once(out, soname);
  for (const char* dir : kToolkitDirs) {
    for (const char* soname : kSonames) add_once(out, std::string(dir) + soname);
  }
  return out;
}

Result<NvrtcApi> open_nvrtc(std::span<const std::string> candidates) {
  std::string tried;
  for (const std::string& candidate : candidates) {
    dlerror();
    void* library = dlopen(candidate.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (library == nullptr) {
      const char* why = dlerror();
      tried += (tried.empty() ? "" : "; ") +
               (why != nullptr ? std::string(why) : candidate + ": not loaded");
      continue;
    }
    NvrtcApi api;
    const std::string missing = resolve(library, api);
    if (missing.empty()) return api;  // the library stays loaded for the life of the process
    dlclose(library);
    tried += (tried.empty() ? "" : "; ") + candidate + " lacks entry points vyre needs (" +
             missing + ")";
  }
  return Diagnostic::error(
      code::BackendUnavailable,
      "NVRTC, which the cuda backend compiles with, could not be loaded: " + tried,
      "install the CUDA toolkit's NVRTC (the cuda-nvrtc package), make its folder known to the "
      "dynamic loader (ldconfig or LD_LIBRARY_PATH), or set VYRE_NVRTC_PATH to the libnvrtc.so "
      "file; or choose another backend with --backend");
}

Result<const NvrtcApi*> load_nvrtc_api() {
  static const Result<NvrtcApi> loaded = open_nvrtc(nvrtc_library_candidates());
  if (!loaded.ok()) return loaded.error();
  return &*loaded;
}

}  // namespace vyre::cuda
