#include "build_log.h"

#include <charconv>
#include <vector>

#include <fmt/format.h>

#include "vyre/backends/opencl/codes.h"

namespace vyre::opencl {
namespace {

struct LogMessage {
  unsigned line = 0;
  unsigned column = 0;
  std::string severity;  // "error", "warning", "note"
  std::string text;
};

std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    out.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

// Parses the two shapes clang-based compilers print: "<file>:LINE:COL: severity: text" (the
// file is "<source>" in PoCL's logs, "input.cl" or a temporary path elsewhere) and
// "severity: <file>:LINE:COL: text" (PoCL 3 on Debian).
bool parse_message(std::string_view line, LogMessage& out) {
  std::string prefix_severity;
  for (std::string_view sev : {"error", "warning", "note", "fatal error"}) {
    if (line.substr(0, sev.size()) == sev && line.substr(sev.size(), 2) == ": ") {
      prefix_severity = std::string(sev);
      break;
    }
  }
  for (std::size_t colon = line.find(':'); colon != std::string_view::npos;
       colon = line.find(':', colon + 1)) {
    std::string_view rest = line.substr(colon + 1);
    unsigned l = 0;
    unsigned c = 0;
    auto r1 = std::from_chars(rest.data(), rest.data() + rest.size(), l);
    if (r1.ec != std::errc{} || r1.ptr == rest.data() || r1.ptr == rest.data() + rest.size() ||
        *r1.ptr != ':') {
      continue;
    }
    const char* after = r1.ptr + 1;
    auto r2 = std::from_chars(after, rest.data() + rest.size(), c);
    if (r2.ec != std::errc{} || r2.ptr == after || r2.ptr == rest.data() + rest.size() ||
        *r2.ptr != ':') {
      continue;
    }
    std::string_view tail(r2.ptr + 1,
                          static_cast<std::size_t>(rest.data() + rest.size() - r2.ptr - 1));
    while (!tail.empty() && tail.front() == ' ') tail.remove_prefix(1);
    out.line = l;
    out.column = c;
    if (!prefix_severity.empty()) {
      out.severity = prefix_severity;
      out.text = std::string(tail);
      return true;
    }
    std::size_t sev_end = tail.find(':');
    if (sev_end == std::string_view::npos) continue;
    out.severity = std::string(tail.substr(0, sev_end));
    std::string_view text = tail.substr(sev_end + 1);
    while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
    out.text = std::string(text);
    return true;
  }
  return false;
}

}  // namespace

std::string read_build_log(cl_program program, cl_device_id device) {
  std::size_t size = 0;
  if (clGetProgramBuildInfo(program, device, CL_PROGRAM_BUILD_LOG, 0, nullptr, &size) !=
          CL_SUCCESS ||
      size == 0) {
    return {};
  }
  std::string log(size, '\0');
  clGetProgramBuildInfo(program, device, CL_PROGRAM_BUILD_LOG, size, log.data(), nullptr);
  while (!log.empty() && log.back() == '\0') log.pop_back();
  return log;
}

Diagnostic build_failure(std::string_view kernel_name, std::string_view log,
                         std::string_view source) {
  std::vector<std::string_view> source_lines = split_lines(source);
  std::vector<LogMessage> messages;
  for (std::string_view line : split_lines(log)) {
    LogMessage m;
    if (parse_message(line, m)) messages.push_back(std::move(m));
  }
  std::string first_error = "see the build log below";
  for (const LogMessage& m : messages) {
    if (m.severity.find("error") != std::string::npos) {
      first_error = fmt::format("generated line {}:{}: {}", m.line, m.column, m.text);
      break;
    }
  }
  Diagnostic diag = Diagnostic::error(
      code::KernelBuildFailed,
      fmt::format("the OpenCL C generated for kernel `{}` failed to build: {}", kernel_name,
                  first_error),
      "this is a vyre code generator bug or a device compiler limitation: see the generated "
      "source with `vyre emit --backend opencl FILE`, and run on another backend meanwhile");
  std::size_t shown = 0;
  for (const LogMessage& m : messages) {
    if (m.severity == "note" || shown == 8) continue;
    ++shown;
    std::string note =
        fmt::format("{} at generated line {}:{}: {}", m.severity, m.line, m.column, m.text);
    if (m.line >= 1 && m.line <= source_lines.size()) {
      std::string_view code_line = source_lines[m.line - 1];
      note += fmt::format("\n  {:>4} | {}", m.line, code_line);
      if (m.column >= 1 && m.column <= code_line.size() + 1) {
        note += fmt::format("\n       | {}^", std::string(m.column - 1, ' '));
      }
    }
    diag.note(std::move(note));
  }
  if (messages.empty()) {
    std::string_view tail = log.size() > 2000 ? log.substr(log.size() - 2000) : log;
    diag.note(fmt::format("build log:\n{}", tail));
  }
  return diag;
}

}  // namespace vyre::opencl
