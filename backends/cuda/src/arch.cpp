#include "vyre/backends/cuda/arch.h"

#include <cctype>

#include "vyre/backends/cuda/codes.h"

namespace vyre::cuda {

std::string CudaArch::name() const {
  std::string out = "sm_" + std::to_string(major * 10 + minor);
  if (suffix != 0) out += suffix;
  return out;
}

Result<CudaArch> parse_arch(std::string_view text, std::string_view origin) {
  auto bad = [&](std::string why) {
    return Diagnostic::error(code::CudaBadArch,
                             std::string(origin) + " `" + std::string(text) + "` " + why,
                             "write a real architecture such as sm_80, sm_90 or sm_90a");
  };
  std::string_view rest = text;
  if (rest.starts_with("sm_")) rest.remove_prefix(3);
  CudaArch arch;
  if (!rest.empty() && (rest.back() == 'a' || rest.back() == 'f')) {
    arch.suffix = rest.back();
    rest.remove_suffix(1);
  }
  if (rest.size() < 2 || rest.size() > 3) return bad("is not an architecture name");
  int number = 0;
  for (char c : rest) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return bad("is not an architecture name");
    number = number * 10 + (c - '0');
  }
  arch.major = number / 10;
  arch.minor = number % 10;
  if (arch.major < 5) return bad("is older than any architecture vyre supports");
  return arch;
}

CudaArch arch_of_device(int major, int minor) {
  return CudaArch{major, minor, 0};
}

bool arch_runs_on(const CudaArch& arch, int major, int minor) {
  if (arch.suffix == 'a') return arch.major == major && arch.minor == minor;
  return arch.major == major && arch.minor <= minor;
}

}  // namespace vyre::cuda
