// The Prometheus text exposition format, byte for byte: HELP and TYPE lines, escaped label values
// and help text, counters and gauges, histograms as cumulative buckets with le in seconds, then
// _sum and _count; and the cache's families as prometheus_metrics() writes them.
#include "vyre/pipeline/prometheus_text.h"

#include <gtest/gtest.h>

#include <map>
#include <sstream>
#include <stdexcept>

#include "vyre/pipeline/cache_metrics.h"

namespace vyre::pipeline {
namespace {

TEST(PrometheusText, CountersGaugesAndEscapes) {
  PrometheusText p;
  p.family("vyre_things_total", MetricType::Counter, "Things; a \\ and a\nnewline.");
  p.sample({}, std::uint64_t{3});
  p.sample({{"store", "a\"b\\c\nd"}, {"tier", "disk"}}, std::uint64_t{18446744073709551615u});
  p.family("vyre_level", MetricType::Gauge, "A gauge.");
  p.sample({{"x", "1"}}, 0.25);
  p.sample({{"x", "2"}}, 1e-6);
  EXPECT_EQ(p.text(),
            "# HELP vyre_things_total Things; a \\\\ and a\\nnewline.\n"
            "# TYPE vyre_things_total counter\n"
            "vyre_things_total 3\n"
            "vyre_things_total{store=\"a\\\"b\\\\c\\nd\",tier=\"disk\"} 18446744073709551615\n"
            "# HELP vyre_level A gauge.\n"
            "# TYPE vyre_level gauge\n"
            "vyre_level{x=\"1\"} 0.25\n"
            "vyre_level{x=\"2\"} 1e-06\n");
  EXPECT_EQ(PrometheusText::number(1.0 / 0.0), "+Inf");
  EXPECT_EQ(PrometheusText::number(-1.0 / 0.0), "-Inf");
  EXPECT_EQ(PrometheusText::number(0.0 / 0.0), "NaN");
  EXPECT_EQ(PrometheusText::number(67.108864), "67.108864");
}

TEST(PrometheusText, HistogramBucketsAreCumulativeInSeconds) {
  Histogram h;
  h.record_us(1);         // bucket le=1e-06
  h.record_us(3);         // le=4e-06
  h.record_us(4);         // le=4e-06
  h.record_us(1u << 30);  // over the last bound: +Inf only
  PrometheusText p;
  p.family("vyre_t_seconds", MetricType::Histogram, "T.");
  p.histogram({{"backend", "opencl"}}, h);
  std::istringstream lines(p.text());
  std::string line;
  std::vector<std::string> all;
  while (std::getline(lines, line)) all.push_back(line);
  ASSERT_EQ(all.size(), 2 + Histogram::kBuckets + 2);
  EXPECT_EQ(all[0], "# HELP vyre_t_seconds T.");
  EXPECT_EQ(all[1], "# TYPE vyre_t_seconds histogram");
  EXPECT_EQ(all[2], "vyre_t_seconds_bucket{backend=\"opencl\",le=\"1e-06\"} 1");
  EXPECT_EQ(all[3], "vyre_t_seconds_bucket{backend=\"opencl\",le=\"2e-06\"} 1");
  EXPECT_EQ(all[4], "vyre_t_seconds_bucket{backend=\"opencl\",le=\"4e-06\"} 3");
  EXPECT_EQ(all[2 + Histogram::kBuckets - 2],
            "vyre_t_seconds_bucket{backend=\"opencl\",le=\"67.108864\"} 3");
  EXPECT_EQ(all[2 + Histogram::kBuckets - 1],
            "vyre_t_seconds_bucket{backend=\"opencl\",le=\"+Inf\"} 4");
  EXPECT_EQ(all[2 + Histogram::kBuckets], "vyre_t_seconds_sum{backend=\"opencl\"} 1073.741832");
  EXPECT_EQ(all[3 + Histogram::kBuckets], "vyre_t_seconds_count{backend=\"opencl\"} 4");
}

TEST(PrometheusText, RefusesNamesTheFormatCannotCarry) {
  EXPECT_TRUE(PrometheusText::valid_name("vyre_cache:hits_total"));
  EXPECT_FALSE(PrometheusText::valid_name("9lives"));
  EXPECT_FALSE(PrometheusText::valid_name("a-b"));
  EXPECT_FALSE(PrometheusText::valid_name(""));
  PrometheusText p;
  EXPECT_THROW(p.family("bad name", MetricType::Counter, ""), std::logic_error);
}

// Every line of prometheus_metrics() is a HELP, a TYPE or a sample of the family declared just
// before it, each family once; histogram buckets never decrease and end at the count.
TEST(CacheMetrics, EveryFamilyAndSampleIsWellFormed) {
  PersistedStats s;
  s.memory_hits = 5;
  s.misses[static_cast<std::size_t>(MissReason::EmptyCache)] = 2;
  s.compiles = 2;
  s.compile_time.record_us(1500);
  s.compile_time.record_us(90000);
  s.load_time.record_us(40);
  s.stores["disk"].served = 3;
  s.stores["disk"].counters[StoreCounter::Writes] = 2;
  s.stores["redis"].extra.sums["untrusted_entry"] = 1;
  s.stores["redis"].extra.maxima["get_us_max"] = 800;
  s.dispatches["opencl"].dispatches = 4;
  s.dispatches["opencl"].bytes_to_device = 4096;
  s.dispatches["opencl"].device_time.record_us(250);
  const std::string text = prometheus_metrics(s);

  std::map<std::string, std::string> types;
  std::string family;
  std::istringstream lines(text);
  std::string line;
  std::map<std::string, double> samples;
  while (std::getline(lines, line)) {
    ASSERT_FALSE(line.empty());
    if (line.rfind("# HELP ", 0) == 0) {
      family = line.substr(7, line.find(' ', 7) - 7);
      EXPECT_EQ(types.count(family), 0u) << "family twice: " << family;
      continue;
    }
    if (line.rfind("# TYPE ", 0) == 0) {
      std::istringstream words(line.substr(7));
      std::string name, type;
      words >> name >> type;
      EXPECT_EQ(name, family);
      EXPECT_TRUE(type == "counter" || type == "gauge" || type == "histogram") << line;
      types[name] = type;
      continue;
    }
    const std::string name = line.substr(0, line.find_first_of("{ "));
    const bool histogram_part =
        types[family] == "histogram" &&
        (name == family + "_bucket" || name == family + "_sum" || name == family + "_count");
    EXPECT_TRUE(name == family || histogram_part) << line;
    samples[line.substr(0, line.rfind(' '))] = std::stod(line.substr(line.rfind(' ') + 1));
  }
  EXPECT_EQ(samples["vyre_cache_hits_total{tier=\"memory\"}"], 5);
  EXPECT_EQ(samples["vyre_cache_hits_total{tier=\"disk\"}"], 3);
  EXPECT_EQ(samples["vyre_cache_misses_total{reason=\"empty_cache\"}"], 2);
  EXPECT_EQ(samples["vyre_cache_compile_seconds_count"], 2);
  EXPECT_EQ(samples["vyre_cache_compile_seconds_bucket{le=\"+Inf\"}"], 2);
  EXPECT_EQ(samples["vyre_cache_compile_seconds_bucket{le=\"0.002048\"}"], 1);
  EXPECT_DOUBLE_EQ(samples["vyre_cache_compile_seconds_sum"], 0.0915);
  EXPECT_EQ(samples["vyre_cache_load_seconds_count"], 1);
  EXPECT_EQ(samples["vyre_cache_store_writes_total{store=\"disk\"}"], 2);
  EXPECT_EQ(samples["vyre_cache_store_extra_total{store=\"redis\",counter=\"untrusted_entry\"}"],
            1);
  EXPECT_EQ(samples["vyre_cache_store_extra_max{store=\"redis\",counter=\"get_us_max\"}"], 800);
  EXPECT_EQ(samples["vyre_dispatches_total{backend=\"opencl\"}"], 4);
  EXPECT_EQ(samples["vyre_dispatch_bytes_total{backend=\"opencl\",direction=\"to_device\"}"], 4096);
  EXPECT_EQ(samples["vyre_dispatch_seconds_count{backend=\"opencl\"}"], 1);
  EXPECT_EQ(types["vyre_dispatch_seconds"], "histogram");
}

}  // namespace
}  // namespace vyre::pipeline
