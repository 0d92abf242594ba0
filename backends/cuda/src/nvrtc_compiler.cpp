#include "vyre/backends/cuda/nvrtc_compiler.h"

#include <algorithm>
#include <memory>

#include "nvrtc_api.h"
#include "vyre/diag/codes.h"

namespace vyre::cuda {
namespace {

// Notes quoted from a failing log; the rest is summarised as a count.
constexpr std::size_t kMaxQuotedErrors = 8;

struct ProgramDeleter {
  const NvrtcApi* api = nullptr;
  void operator()(nvrtcProgram program) const { api->destroy_program(&program); }
};
using ProgramHandle = std::unique_ptr<std::remove_pointer_t<nvrtcProgram>, ProgramDeleter>;

Diagnostic nvrtc_call_failed(const NvrtcApi& api, nvrtcResult result, std::string_view call,
                             std::string_view kernel_name) {
  return Diagnostic::error(code::NvrtcCompileFailed,
                           std::string(call) + " failed for kernel `" + std::string(kernel_name) +
                               "`: " + api.get_error_string(result),
                           "this is an NVRTC installation or vyre bug; please report it");
}

std::string program_log(const NvrtcApi& api, nvrtcProgram program) {
  std::size_t size = 0;
  if (api.get_program_log_size(program, &size) != NVRTC_SUCCESS || size <= 1) return {};
  std::string log(size, '\0');
  if (api.get_program_log(program, log.data()) != NVRTC_SUCCESS) return {};
  log.resize(size - 1);  // drop the terminating NUL
  return log;
}

std::string_view source_line(std::string_view source, std::uint32_t line) {
  for (std::uint32_t current = 1; !source.empty(); ++current) {
    const std::size_t end = source.find('\n');
    const std::string_view text = source.substr(0, end);
    if (current == line) return text;
    if (end == std::string_view::npos) break;
    source.remove_prefix(end + 1);
  }
  return {};
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\r' || text.back() == '\t')) {
    text.remove_suffix(1);
  }
  return text;
}

std::vector<int> supported_arch_numbers() {
  auto api = load_nvrtc_api();
  if (!api.ok()) return {};
  int count = 0;
  if ((*api)->get_num_supported_archs(&count) != NVRTC_SUCCESS || count <= 0) return {};
  std::vector<int> archs(static_cast<std::size_t>(count));
  if ((*api)->get_supported_archs(archs.data()) != NVRTC_SUCCESS) return {};
  return archs;
}

}  // namespace

std::vector<std::string> nvrtc_options(const CudaArch& arch) {
  // A real architecture (sm_XX, not compute_XX) so the result is a cubin, not PTX; every
  // floating-point relaxation that nvcc's fast math would enable is spelled out as off.
  return {"-arch=" + arch.name(), "--fmad=false",     "--ftz=false",
          "--prec-div=true",      "--prec-sqrt=true", "--std=c++17"};
}

Status nvrtc_available() {
  VYRE_TRY(load_nvrtc_api());
  return Ok{};
}

Status probe_nvrtc(std::span<const std::string> candidates) {
  VYRE_TRY(open_nvrtc(candidates));
  return Ok{};
}

std::string nvrtc_version() {
  auto api = load_nvrtc_api();
  if (!api.ok()) return "nvrtc unavailable";
  int major = 0;
  int minor = 0;
  if ((*api)->version(&major, &minor) != NVRTC_SUCCESS) return "nvrtc ?";
  return "nvrtc " + std::to_string(major) + "." + std::to_string(minor);
}

bool nvrtc_supports(const CudaArch& arch) {
  const std::vector<int> archs = supported_arch_numbers();
  return std::find(archs.begin(), archs.end(), arch.major * 10 + arch.minor) != archs.end();
}

std::string nvrtc_supported_archs() {
  std::string out;
  for (int number : supported_arch_numbers()) {
    out += (out.empty() ? "sm_" : " sm_") + std::to_string(number);
  }
  return out;
}

std::vector<NvrtcLogEntry> parse_nvrtc_log(std::string_view log) {
  std::vector<NvrtcLogEntry> entries;
  while (!log.empty()) {
    const std::size_t end = log.find('\n');
    const std::string_view line = log.substr(0, end);
    log.remove_prefix(end == std::string_view::npos ? log.size() : end + 1);
    // FILE(LINE): SEVERITY: MESSAGE   (severity may carry a code: "error #20-D")
    const std::size_t open = line.find('(');
    const std::size_t close = line.find("): ", open == std::string_view::npos ? 0 : open);
    if (open == std::string_view::npos || close == std::string_view::npos) continue;
    const std::string_view number = line.substr(open + 1, close - open - 1);
    if (number.empty() || number.size() > 9 ||
        !std::all_of(number.begin(), number.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      continue;
    }
    const std::string_view rest = line.substr(close + 3);
    const std::size_t colon = rest.find(": ");
    if (colon == std::string_view::npos) continue;
    NvrtcLogEntry entry;
    entry.line = static_cast<std::uint32_t>(std::stoul(std::string(number)));
    entry.severity = std::string(rest.substr(0, colon));
    if (const std::size_t hash = entry.severity.find(" #"); hash != std::string::npos) {
      entry.severity.resize(hash);
    }
    entry.message = std::string(trim(rest.substr(colon + 2)));
    entries.push_back(std::move(entry));
  }
  return entries;
}

Diagnostic nvrtc_failure(std::string_view source, std::string_view log, const CudaArch& arch,
                         std::string_view kernel_name) {
  std::vector<NvrtcLogEntry> entries = parse_nvrtc_log(log);
  std::vector<NvrtcLogEntry> errors;
  std::copy_if(
      entries.begin(), entries.end(), std::back_inserter(errors),
      [](const NvrtcLogEntry& e) { return e.severity.find("error") != std::string::npos; });
  if (errors.empty()) errors = entries;

  std::string message = "NVRTC could not compile the CUDA kernel generated for `" +
                        std::string(kernel_name) + "` (target " + arch.name() + ")";
  if (!errors.empty()) {
    message += ": " + errors.front().message + " at " + std::string(kKernelFileName) + ":" +
               std::to_string(errors.front().line);
  }
  Diagnostic diagnostic = Diagnostic::error(
      code::NvrtcCompileFailed, std::move(message),
      "generated CUDA that does not compile is a bug in vyre's code generator or in an op "
      "lowering registered for the cuda backend; `vyre emit --backend cuda FILE` prints the "
      "whole kernel; please report it with this log");
  diagnostic.path = "kernel " + std::string(kernel_name) + " > generated CUDA";
  std::size_t quoted = 0;
  for (const NvrtcLogEntry& error : errors) {
    if (quoted++ == kMaxQuotedErrors) {
      diagnostic.note(std::to_string(errors.size() - kMaxQuotedErrors) + " more in NVRTC's log");
      break;
    }
    const std::string line_number = std::to_string(error.line);
    diagnostic.note(std::string(kKernelFileName) + ":" + line_number + ": " + error.severity +
                    ": " + error.message + "\n    " + line_number + " | " +
                    std::string(trim(source_line(source, error.line))));
  }
  if (errors.empty()) {
    const std::string_view raw = trim(log);
    diagnostic.note("NVRTC log: " + (raw.empty() ? std::string("(empty)") : std::string(raw)));
  }
  return diagnostic;
}

Result<Cubin> compile_to_cubin(const CubinRequest& request) {
  const NvrtcApi& api = *VYRE_TRY(load_nvrtc_api());
  if (!nvrtc_supports(request.arch)) {
    return Diagnostic::error(
        code::CudaBadArch,
        "this NVRTC (" + nvrtc_version() + ") cannot target " + request.arch.name(),
        "choose one of: " + nvrtc_supported_archs());
  }
  const std::string source(request.source);
  const std::string file(kKernelFileName);
  nvrtcProgram raw = nullptr;
  nvrtcResult result = api.create_program(&raw, source.c_str(), file.c_str(), 0, nullptr, nullptr);
  if (result != NVRTC_SUCCESS) {
    return nvrtc_call_failed(api, result, "nvrtcCreateProgram", request.kernel_name);
  }
  ProgramHandle program(raw, ProgramDeleter{&api});
  const std::string entry(request.entry);
  result = api.add_name_expression(raw, entry.c_str());
  if (result != NVRTC_SUCCESS) {
    return nvrtc_call_failed(api, result, "nvrtcAddNameExpression", request.kernel_name);
  }

  const std::vector<std::string> options = nvrtc_options(request.arch);
  std::vector<const char*> option_ptrs;
  for (const std::string& option : options) option_ptrs.push_back(option.c_str());
  result = api.compile_program(raw, static_cast<int>(option_ptrs.size()), option_ptrs.data());
  Cubin cubin;
  cubin.log = program_log(api, raw);
  if (result == NVRTC_ERROR_COMPILATION) {
    return nvrtc_failure(request.source, cubin.log, request.arch, request.kernel_name);
  }
  if (result != NVRTC_SUCCESS) {
    Diagnostic failure = nvrtc_call_failed(api, result, "nvrtcCompileProgram", request.kernel_name);
    if (!cubin.log.empty()) failure.note("NVRTC log: " + cubin.log);
    return failure;
  }

  const char* lowered = nullptr;
  result = api.get_lowered_name(raw, entry.c_str(), &lowered);
  if (result != NVRTC_SUCCESS || lowered == nullptr) {
    return nvrtc_call_failed(api, result, "nvrtcGetLoweredName", request.kernel_name);
  }
  cubin.entry = lowered;

  std::size_t size = 0;
  result = api.get_cubin_size(raw, &size);
  if (result != NVRTC_SUCCESS) {
    return nvrtc_call_failed(api, result, "nvrtcGetCUBINSize", request.kernel_name);
  }
  cubin.bytes.resize(size);
  result = api.get_cubin(raw, reinterpret_cast<char*>(cubin.bytes.data()));
  if (result != NVRTC_SUCCESS) {
    return nvrtc_call_failed(api, result, "nvrtcGetCUBIN", request.kernel_name);
  }
  return cubin;
}

}  // namespace vyre::cuda
