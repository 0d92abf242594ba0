#include "vyre/pipeline/prometheus_text.h"

#include <charconv>
#include <cmath>
#include <stdexcept>

namespace vyre::pipeline {
namespace {

std::string_view type_name(MetricType type) {
  switch (type) {
    case MetricType::Counter:
      return "counter";
    case MetricType::Gauge:
      return "gauge";
    case MetricType::Histogram:
      return "histogram";
  }
  return "untyped";
}

}  // namespace

bool PrometheusText::valid_name(std::string_view name) {
  if (name.empty()) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
    if (!letter && !(i > 0 && c >= '0' && c <= '9')) return false;
  }
  return true;
}

std::string PrometheusText::escape(std::string_view text, bool label_value) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '"' && label_value) {
      out += "\\\"";
    } else {
      out += c;
    }
  }
  return out;
}

std::string PrometheusText::number(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  char buffer[64];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, ec == std::errc() ? end : buffer);
}

void PrometheusText::family(std::string_view name, MetricType type, std::string_view help) {
  if (!valid_name(name)) throw std::logic_error("invalid Prometheus metric name");
  current_ = std::string(name);
  type_ = type;
  out_ += "# HELP " + current_ + " " + escape(help, false) + "\n";
  out_ += "# TYPE " + current_ + " " + std::string(type_name(type)) + "\n";
}

void PrometheusText::line(std::string_view name, const Labels& labels, std::string_view value) {
  out_ += name;
  if (!labels.empty()) {
    out_ += '{';
    for (std::size_t i = 0; i < labels.size(); ++i) {
      if (!valid_name(labels[i].first)) throw std::logic_error("invalid Prometheus label name");
      if (i) out_ += ',';
      out_ += labels[i].first + "=\"" + escape(labels[i].second, true) + "\"";
    }
    out_ += '}';
  }
  out_ += ' ';
  out_ += value;
  out_ += '\n';
}

void PrometheusText::sample(const Labels& labels, double value) {
  line(current_, labels, number(value));
}

void PrometheusText::sample(const Labels& labels, std::uint64_t value) {
  line(current_, labels, std::to_string(value));
}

void PrometheusText::histogram(const Labels& labels, const Histogram& h) {
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < Histogram::kBuckets; ++i) {
    cumulative += h.counts[i];
    Labels with_le = labels;
    const bool last = i + 1 == Histogram::kBuckets;
    with_le.emplace_back(
        "le", last ? "+Inf" : number(static_cast<double>(Histogram::upper_bound_us(i)) / 1e6));
    line(current_ + "_bucket", with_le, std::to_string(cumulative));
  }
  // The count is the +Inf bucket's, as the format requires (a live snapshot's separately
  // loaded count could differ by a sample in flight).
  line(current_ + "_sum", labels, number(static_cast<double>(h.sum_us) / 1e6));
  line(current_ + "_count", labels, std::to_string(cumulative));
}

}  // namespace vyre::pipeline
