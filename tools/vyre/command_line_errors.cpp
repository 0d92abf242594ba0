#include "command_line_errors.h"

#include <algorithm>

#include "source_file.h"
#include "vyre/diag/codes.h"

namespace vyre::cli {
namespace {

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// The innermost subcommand the parser entered ("cache" in `vyre cache stat`).
CLI::App* innermost(CLI::App& app) {
  CLI::App* at = &app;
  for (;;) {
    auto parsed = at->get_subcommands();
    if (parsed.empty()) return at;
    at = parsed.front();
  }
}

std::string command_path(CLI::App* app) {
  std::string path;
  for (CLI::App* at = app; at != nullptr; at = at->get_parent()) {
    path = (at->get_parent() == nullptr ? std::string("vyre") : at->get_name()) +
           (path.empty() ? "" : " " + path);
  }
  return path;
}

}  // namespace

std::string nearest_name(std::string_view word, const std::vector<std::string>& candidates) {
  std::string best;
  std::size_t best_distance = 0;
  for (const std::string& candidate : candidates) {
    std::size_t d = edit_distance(word, candidate);
    if (candidate.rfind(word, 0) == 0 && !word.empty()) d = 0;  // a prefix is what was meant
    if (best.empty() || d < best_distance) {
      best = candidate;
      best_distance = d;
    }
  }
  // Farther than about a third of the word is a different word, not a typo.
  return best_distance <= std::max<std::size_t>(2, word.size() / 3) ? best : "";
}

int report_parse_error(CLI::App& app, const CLI::ParseError& error) {
  if (error.get_exit_code() == 0) return app.exit(error);  // --help, --version
  CLI::App* at = innermost(app);
  std::vector<std::string> names;
  const CLI::App* const_at = at;  // the const overload takes a filter of const App*
  for (const CLI::App* sub : const_at->get_subcommands([](const CLI::App*) { return true; })) {
    names.push_back(sub->get_name());
  }
  // The first word left over where a subcommand was expected is an unknown subcommand.
  std::vector<std::string> left = at->remaining();
  if (!names.empty() && at->get_subcommands().empty() && !left.empty() &&
      left.front().rfind('-', 0) != 0) {
    const std::string& word = left.front();
    const std::string suggestion = nearest_name(word, names);
    std::string known;
    for (const std::string& name : names) known += (known.empty() ? "" : ", ") + name;
    write_human(Diagnostic::error(
        code::UnknownSubcommand, "`" + command_path(at) + "` has no subcommand `" + word + "`",
        suggestion.empty() ? "the subcommands are: " + known
                           : "did you mean `" + command_path(at) + " " + suggestion +
                                 "`? (subcommands: " + known + ")"));
    return 2;
  }
  write_human(
      Diagnostic::error(code::BadCommandLine, error.what(),
                        "run `" + command_path(at) + " --help` for every option and its default"));
  return 2;
}

}  // namespace vyre::cli
