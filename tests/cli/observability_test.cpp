// Observability as a user meets it: VYRE_LOG=info traces the routing and cache decisions of
// `vyre run` on stderr; a bad VYRE_LOG is a coded warning on any command, never a failure;
// `vyre cache stats` shows each store's row, the compile and load time histograms and the
// dispatch totals of earlier processes; `--prometheus` prints them in the Prometheus text format,
// checked line by line here and, where Python has prometheus_client, by its own parser.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "cli/vyre_binary.h"

namespace vyre::testing {
namespace {

class Observability : public CliTest {
 protected:
  // `vyre ARGS` with this test's cache folder; stdout only, stderr into err_.
  Output vyre(const std::string& env, const std::string& args) {
    const fs::path err = dir_ / "stderr.txt";
    Output r = run_shell("env VYRE_CACHE_DIR=" + (dir_ / "cache").string() + " " + env + " " +
                         vyre_binary().string() + " " + args + " 2>" + err.string());
    std::ifstream in(err);
    std::stringstream text;
    text << in.rdbuf();
    err_ = text.str();
    return r;
  }
  Output saxpy(const std::string& env, const std::string& more = "") {
    return vyre(env, "run " + example_path("saxpy") +
                         " --backend reference --param a=2 --in x=range:1000 --in y=fill:1" + more);
  }
  static std::size_t count(const std::string& text, const std::string& part) {
    std::size_t n = 0;
    for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
    return n;
  }
  std::string err_;
};

TEST_F(Observability, VyreLogInfoTracesRoutingAndCacheDecisions) {
  ASSERT_EQ(saxpy("VYRE_LOG=info").status, 0) << err_;
  EXPECT_EQ(count(err_, "vyre[info] routing: `saxpy` -> reference (explicitly requested)"), 1u)
      << "one decision, logged once: " << err_;
  EXPECT_NE(err_.find("for reference: miss, empty_cache (empty cache"), std::string::npos) << err_;
  EXPECT_NE(err_.find("for reference: compiled in "), std::string::npos) << err_;
  EXPECT_NE(err_.find("for reference: stored in disk ("), std::string::npos) << err_;
  ASSERT_EQ(saxpy("VYRE_LOG=info").status, 0) << err_;
  EXPECT_NE(err_.find("for reference: disk hit, loaded in "), std::string::npos) << err_;
  ASSERT_EQ(saxpy("VYRE_LOG=debug", " --repeat 2").status, 0) << err_;
  EXPECT_NE(err_.find("for reference: memory hit"), std::string::npos) << err_;
  ASSERT_EQ(saxpy("").status, 0) << err_;
  EXPECT_EQ(err_.find("vyre["), std::string::npos) << "nothing at the default level: " << err_;
}

TEST_F(Observability, ABadVyreLogIsACodedWarningNeverAFailure) {
  for (const std::string& args : {std::string("cache stats"), std::string("env")}) {
    Output r = vyre("VYRE_LOG=loud", args);
    EXPECT_EQ(r.status, 0) << args << ": " << err_;
    EXPECT_NE(err_.find("warning[VY8003]: VYRE_LOG='loud' names no log level"), std::string::npos)
        << err_;
    EXPECT_NE(err_.find("help: set VYRE_LOG to error, warn, info or debug"), std::string::npos);
  }
  EXPECT_EQ(saxpy("VYRE_LOG=").status, 0);
  EXPECT_EQ(err_.find("VY8003"), std::string::npos) << "empty is unset: " << err_;
  Output env = vyre("VYRE_LOG=info", "env");
  EXPECT_NE(env.out.find("VYRE_LOG"), std::string::npos) << "declared with the others";
}

TEST_F(Observability, CacheStatsShowsHistogramsStoresAndDispatchesAcrossProcesses) {
  ASSERT_EQ(saxpy("").status, 0) << err_;  // compiled
  ASSERT_EQ(saxpy("").status, 0) << err_;  // a disk hit in another process
  Output r = vyre("", "cache stats");
  ASSERT_EQ(r.status, 0) << err_;
  EXPECT_NE(r.out.find("compile time   1 compile: p50 <= "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("load time      1 load: p50 <= "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("               buckets <="), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("store disk     served=1 hits=1 misses=1 writes=1"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("dispatches     reference: 2 (failed 0), 15.6 KiB to device, 7.8 KiB back"),
            std::string::npos)
      << r.out;
  nlohmann::json j = nlohmann::json::parse(vyre("", "cache stats --json").out);
  EXPECT_EQ(j["counters"]["format"], 2);
  EXPECT_EQ(j["counters"]["stores"]["disk"]["served"], 1);
  EXPECT_EQ(j["counters"]["compile_time"]["count"], 1);
  EXPECT_EQ(j["counters"]["dispatches"]["reference"]["dispatches"], 2);
  EXPECT_GT(j["compile_ms_p50"].get<double>(), 0.0);
}

// Each line a HELP, TYPE or sample of the family just declared; histogram buckets cumulative.
void expect_well_formed(const std::string& text) {
  std::istringstream lines(text);
  std::string line, family, type;
  std::set<std::string> seen;
  double last_bucket = 0;
  while (std::getline(lines, line)) {
    ASSERT_FALSE(line.empty());
    if (line.rfind("# HELP ", 0) == 0) {
      family = line.substr(7, line.find(' ', 7) - 7);
      EXPECT_TRUE(seen.insert(family).second) << "family twice: " << family;
      continue;
    }
    if (line.rfind("# TYPE ", 0) == 0) {
      EXPECT_EQ(line.rfind("# TYPE " + family + " ", 0), 0u) << line;
      type = line.substr(8 + family.size());
      continue;
    }
    const std::string name = line.substr(0, line.find_first_of("{ "));
    const double value = std::stod(line.substr(line.rfind(' ') + 1));
    if (type == "histogram") {
      EXPECT_TRUE(name == family + "_bucket" || name == family + "_sum" ||
                  name == family + "_count")
          << line;
      if (name == family + "_bucket") {
        if (line.find("le=\"1e-06\"") != std::string::npos) last_bucket = 0;
        EXPECT_GE(value, last_bucket) << line;
        last_bucket = value;
      }
    } else {
      EXPECT_EQ(name, family) << line;
    }
  }
}

TEST_F(Observability, PrometheusOutputParses) {
  ASSERT_EQ(saxpy("").status, 0) << err_;
  ASSERT_EQ(saxpy("").status, 0) << err_;
  // A format-1 stats file's remote row is kept in the Redis store's row and exported too.
  Output r = vyre("", "cache stats --prometheus");
  ASSERT_EQ(r.status, 0) << err_;
  expect_well_formed(r.out);
  EXPECT_NE(r.out.find("vyre_cache_hits_total{tier=\"disk\"} 1\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("vyre_cache_misses_total{reason=\"empty_cache\"} 1\n"), std::string::npos);
  EXPECT_NE(r.out.find("vyre_cache_compile_seconds_count 1\n"), std::string::npos);
  EXPECT_NE(r.out.find("vyre_dispatches_total{backend=\"reference\"} 2\n"), std::string::npos);
  EXPECT_NE(r.out.find("vyre_dispatch_bytes_total{backend=\"reference\",direction=\"to_device\"} "
                       "16000\n"),
            std::string::npos);
  EXPECT_NE(vyre("", "cache stats --prometheus --json").status, 0) << "one output form at a time";

  // The reference parser, where Python has it (scripts/test.sh installs prometheus_client).
  if (run_shell("python3 -c 'import prometheus_client' 2>/dev/null").status != 0) {
    GTEST_SKIP() << "python3 has no prometheus_client (pip install prometheus_client); the "
                    "format was checked line by line above";
  }
  const fs::path text = dir_ / "metrics.txt";
  std::ofstream(text) << r.out;
  Output parsed = run_shell("python3 " +
                            (fs::path(VYRE_SOURCE_DIR) / "tests/cli/prometheus_parse.py").string() +
                            " < " + text.string() + " 2>&1");
  ASSERT_EQ(parsed.status, 0) << "prometheus_client refused the text: " << parsed.out;
  nlohmann::json p = nlohmann::json::parse(parsed.out);
  EXPECT_EQ(p["families"]["vyre_cache_hits"], "counter");
  EXPECT_EQ(p["families"]["vyre_cache_compile_seconds"], "histogram");
  EXPECT_EQ(p["families"]["vyre_dispatch_seconds"], "histogram");
  EXPECT_EQ(p["families"]["vyre_cache_store_extra_max"], "gauge");
  EXPECT_EQ(p["samples"]["vyre_cache_hits_total{tier=memory}"], 0.0);
  EXPECT_EQ(p["samples"]["vyre_cache_hits_total{tier=disk}"], 1.0);
  EXPECT_EQ(p["samples"]["vyre_cache_load_seconds_count{}"], 1.0);
  EXPECT_EQ(p["samples"]["vyre_cache_compile_seconds_bucket{le=+Inf}"], 1.0);
  EXPECT_EQ(p["samples"]["vyre_dispatches_total{backend=reference}"], 2.0);
  EXPECT_EQ(p["samples"]["vyre_dispatch_seconds_count{backend=reference}"], 2.0);
}

TEST_F(Observability, AnOlderStatsFileIsReadAndExported) {
  fs::create_directories(dir_ / "cache");
  ASSERT_EQ(saxpy("").status, 0) << err_;  // makes the folder vyre's, with a stats file
  std::ofstream(dir_ / "cache" / "stats.json", std::ios::trunc) << R"({
    "memory_hits": 4, "store_hits": 2, "compiles": 1, "misses": {"empty_cache": 1},
    "store": {"hits": 2, "writes": 1},
    "remote": {"untrusted_entry": 2, "gets": 3, "get_us_max": 70, "store": {"hits": 1}}})";
  Output r = vyre("", "cache stats");
  ASSERT_EQ(r.status, 0) << err_;
  EXPECT_NE(r.out.find("store disk     served=0 hits=2 writes=1"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("remote lookups 3 (hits 1; misses: absent 0, untrusted_entry 2"),
            std::string::npos)
      << r.out;
  r = vyre("", "cache stats --prometheus");
  ASSERT_EQ(r.status, 0) << err_;
  expect_well_formed(r.out);
  EXPECT_NE(r.out.find("vyre_cache_store_extra_total{store=\"redis\",counter=\"untrusted_entry\"} "
                       "2\n"),
            std::string::npos)
      << r.out;
}

}  // namespace
}  // namespace vyre::testing
