// Levelled logging: VYRE_LOG's names, a bad value as a coded warning (never a crash), the level
// gate, and a sink an embedder installs in place of stderr.
#include "vyre/diag/log.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <mutex>
#include <string>
#include <vector>

#include "vyre/diag/codes.h"

namespace vyre {
namespace {

struct Captured {
  LogLevel level;
  std::string component, message;
};

class Log : public ::testing::Test {
 protected:
  void SetUp() override {
    set_log_sink([this](const LogRecord& r) {
      std::lock_guard lock(mutex_);
      records_.push_back({r.level, std::string(r.component), std::string(r.message)});
    });
  }
  void TearDown() override {
    set_log_sink(nullptr);
    set_log_level(LogLevel::Warn);
    ::unsetenv("VYRE_LOG");
  }
  std::mutex mutex_;
  std::vector<Captured> records_;
};

TEST_F(Log, NamesRoundTrip) {
  for (LogLevel level : {LogLevel::Error, LogLevel::Warn, LogLevel::Info, LogLevel::Debug}) {
    EXPECT_EQ(parse_log_level(log_level_name(level)), level);
  }
  EXPECT_EQ(parse_log_level("warning"), LogLevel::Warn);
  EXPECT_EQ(parse_log_level("INFO"), std::nullopt);
  EXPECT_EQ(parse_log_level(""), std::nullopt);
}

TEST_F(Log, TheEnvironmentPicksTheLevelAndABadValueIsACodedWarning) {
  ::unsetenv("VYRE_LOG");
  std::optional<Diagnostic> problem;
  EXPECT_EQ(log_level_from_environment(&problem), LogLevel::Warn);
  EXPECT_FALSE(problem);
  ::setenv("VYRE_LOG", "debug", 1);
  EXPECT_EQ(log_level_from_environment(&problem), LogLevel::Debug);
  EXPECT_FALSE(problem);
  ::setenv("VYRE_LOG", "loud\x1b[2J", 1);
  EXPECT_EQ(log_level_from_environment(&problem), LogLevel::Warn);
  ASSERT_TRUE(problem);
  EXPECT_EQ(problem->code, code::BadLogLevel);
  EXPECT_EQ(problem->severity, Severity::Warning);
  EXPECT_NE(problem->message.find("VYRE_LOG='loud?[2J'"), std::string::npos) << problem->message;
  EXPECT_NE(problem->help.find("error, warn, info or debug"), std::string::npos);
}

TEST_F(Log, OnlyEnabledLevelsReachTheSink) {
  set_log_level(LogLevel::Info);
  EXPECT_TRUE(log_enabled(LogLevel::Info));
  EXPECT_FALSE(log_enabled(LogLevel::Debug));
  log(LogLevel::Info, "cache", "disk hit");
  log(LogLevel::Debug, "cache", "disk: absent");
  log(LogLevel::Error, "runtime", "boom");
  ASSERT_EQ(records_.size(), 2u);
  EXPECT_EQ(records_[0].level, LogLevel::Info);
  EXPECT_EQ(records_[0].component, "cache");
  EXPECT_EQ(records_[0].message, "disk hit");
  EXPECT_EQ(records_[1].level, LogLevel::Error);
  set_log_level(LogLevel::Error);
  log(LogLevel::Warn, "cache", "not shown");
  EXPECT_EQ(records_.size(), 2u);
}

TEST_F(Log, WithoutASinkRecordsGoToStderr) {
  set_log_sink(nullptr);
  set_log_level(LogLevel::Info);
  ::testing::internal::CaptureStderr();
  log(LogLevel::Info, "routing", "`saxpy` -> reference (explicitly requested)");
  const std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(err, "vyre[info] routing: `saxpy` -> reference (explicitly requested)\n");
}

}  // namespace
}  // namespace vyre
