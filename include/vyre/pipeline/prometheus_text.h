// A writer of the Prometheus text exposition format (version 0.0.4): families with their HELP
// and TYPE lines, samples with escaped label values, and histograms as cumulative `_bucket`
// series with `le`, then `_sum` and `_count`. No client library: vyre's metrics are read from
// counters it already keeps, so only the format is needed (prometheus-cpp is not in Debian 12).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "vyre/pipeline/histogram.h"

namespace vyre::pipeline {

enum class MetricType { Counter, Gauge, Histogram };

class PrometheusText {
 public:
  using Labels = std::vector<std::pair<std::string, std::string>>;

  // Starts a family; the samples that follow belong to it. `name` must match
  // [a-zA-Z_:][a-zA-Z0-9_:]* (vyre's own names do; checked, a bad one is a programming error).
  void family(std::string_view name, MetricType type, std::string_view help);
  // A sample of the current counter or gauge family.
  void sample(const Labels& labels, double value);
  void sample(const Labels& labels, std::uint64_t value);
  // The current histogram family's series for `h`: every bucket bound in seconds (cumulative
  // counts, `le="+Inf"` last), the sum in seconds and the count.
  void histogram(const Labels& labels, const Histogram& h);

  const std::string& text() const { return out_; }

  static bool valid_name(std::string_view name);
  // A label value or HELP text escaped as the format requires (\\, \" in label values, \n).
  static std::string escape(std::string_view text, bool label_value);
  static std::string number(double value);  // shortest round-trip form; +Inf, -Inf, NaN

 private:
  void line(std::string_view name, const Labels& labels, std::string_view value);
  std::string out_;
  std::string current_;
  MetricType type_ = MetricType::Counter;
};

}  // namespace vyre::pipeline
