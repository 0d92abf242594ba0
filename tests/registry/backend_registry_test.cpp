#include "vyre/registry/backend_registry.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <thread>

#include "runtime/stub_backend.h"
#include "vyre/backends/builtin.h"
#include "vyre/backends/reference.h"
#include "vyre/diag/codes.h"

namespace vyre {
namespace {

using testing::failing_provider;
using testing::FakeBackend;
using testing::full_capabilities;
using testing::provider_of;

std::shared_ptr<FakeBackend> stub(std::string id) {
  return std::make_shared<FakeBackend>(std::move(id), full_capabilities(),
                                       std::vector<std::string>{});
}

TEST(BackendRegistry, DuplicateIdIsAnErrorNamingBothProviders) {
  BackendRegistry registry;
  ASSERT_TRUE(registry.add(provider_of("gpu", 5, stub("gpu"))).ok());
  BackendProvider again = provider_of("gpu", 7, stub("gpu"));
  again.origin = "plugins/other_gpu";
  Status second = registry.add(again);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code, code::DuplicateBackend);
  EXPECT_NE(second.error().message.find("tests/gpu"), std::string::npos);
  EXPECT_NE(second.error().message.find("plugins/other_gpu"), std::string::npos);
  EXPECT_FALSE(second.error().help.empty());
  EXPECT_EQ(registry.list().size(), 1u);
}

TEST(BackendRegistry, ListsByPriorityThenId) {
  BackendRegistry registry;
  ASSERT_TRUE(registry.add(provider_of("b", 1, stub("b"))).ok());
  ASSERT_TRUE(registry.add(provider_of("a", 1, stub("a"))).ok());
  ASSERT_TRUE(registry.add(provider_of("c", 9, stub("c"))).ok());
  auto list = registry.list();
  ASSERT_EQ(list.size(), 3u);
  EXPECT_EQ(list[0].id, "c");
  EXPECT_EQ(list[1].id, "a");
  EXPECT_EQ(list[2].id, "b");
  for (const auto& status : list) EXPECT_TRUE(status.available);
}

TEST(BackendRegistry, UnavailableBackendReportsWhy) {
  BackendRegistry registry;
  ASSERT_TRUE(registry.add(failing_provider("opencl", 20)).ok());
  auto list = registry.list();
  ASSERT_EQ(list.size(), 1u);
  EXPECT_FALSE(list[0].available);
  ASSERT_TRUE(list[0].why_unavailable.has_value());
  EXPECT_EQ(list[0].why_unavailable->code, code::BackendUnavailable);
  EXPECT_NE(list[0].why_unavailable->message.find("no opencl device"), std::string::npos);
  auto acquired = registry.acquire("opencl");
  ASSERT_FALSE(acquired.ok());
  EXPECT_EQ(acquired.error().message, list[0].why_unavailable->message);
}

TEST(BackendRegistry, UnknownIdNamesTheRegisteredOnes) {
  BackendRegistry registry;
  ASSERT_TRUE(registry.add(provider_of("alpha", 1, stub("alpha"))).ok());
  auto acquired = registry.acquire("beta");
  ASSERT_FALSE(acquired.ok());
  EXPECT_EQ(acquired.error().code, code::UnknownBackend);
  EXPECT_NE(acquired.error().help.find("alpha"), std::string::npos);
  EXPECT_FALSE(registry.has("beta"));
  EXPECT_TRUE(registry.has("alpha"));
}

TEST(BackendRegistry, ConcurrentAcquireConstructsOnce) {
  BackendRegistry registry;
  std::atomic<int> probes{0}, factories{0};
  BackendProvider p;
  p.id = "slow";
  p.origin = "tests";
  p.probe = [&] {
    ++probes;
    return Status(Ok{});
  };
  p.factory = [&]() -> Result<std::shared_ptr<Backend>> {
    ++factories;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    return std::shared_ptr<Backend>(stub("slow"));
  };
  ASSERT_TRUE(registry.add(std::move(p)).ok());
  std::vector<std::thread> threads;
  std::vector<Backend*> seen(8, nullptr);
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      auto b = registry.acquire("slow");
      if (b.ok()) seen[i] = b->get();
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(probes.load(), 1);
  EXPECT_EQ(factories.load(), 1);
  for (Backend* b : seen) EXPECT_EQ(b, seen[0]);
  EXPECT_NE(seen[0], nullptr);
}

TEST(BackendRegistry, FailedFactoryIsRememberedNotRetried) {
  BackendRegistry registry;
  int calls = 0;
  BackendProvider p;
  p.id = "flaky";
  p.origin = "tests";
  p.factory = [&]() -> Result<std::shared_ptr<Backend>> {
    ++calls;
    return Diagnostic::error(code::BackendUnavailable, "driver crashed", "reinstall it");
  };
  ASSERT_TRUE(registry.add(std::move(p)).ok());
  EXPECT_FALSE(registry.acquire("flaky").ok());
  EXPECT_FALSE(registry.acquire("flaky").ok());
  EXPECT_EQ(calls, 1);
}

TEST(BackendRegistry, BuiltinsRegisterTheReferenceBackendOnce) {
  BackendRegistry registry;
  ASSERT_TRUE(register_builtin_backends(registry).ok());
  ASSERT_TRUE(register_builtin_backends(registry).ok());  // idempotent
  ASSERT_TRUE(registry.has("reference"));
  auto list = registry.list();
  const BackendStatus* ref = nullptr;
  for (const auto& s : list) {
    if (s.id == "reference") ref = &s;
  }
  ASSERT_NE(ref, nullptr);
  EXPECT_TRUE(ref->available);
  EXPECT_EQ(ref->priority, 0);
  for (const auto& s : list) EXPECT_GE(s.priority, ref->priority);  // the lowest
  auto backend = registry.acquire("reference");
  ASSERT_TRUE(backend.ok());
  auto ops = (*backend)->supported_ops();
  EXPECT_NE(std::find(ops.begin(), ops.end(), "sqrt"), ops.end());
  EXPECT_NE(std::find(ops.begin(), ops.end(), "popcount"), ops.end());
}

TEST(BackendRegistry, RegisteredDoesNotProbe) {
  BackendRegistry registry;
  int probes = 0;
  BackendProvider p = failing_provider("lazy", 3);
  auto inner = p.probe;
  p.probe = [&, inner] {
    ++probes;
    return inner();
  };
  ASSERT_TRUE(registry.add(std::move(p)).ok());
  auto listed = registry.registered();
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].id, "lazy");
  EXPECT_EQ(probes, 0);
}

}  // namespace
}  // namespace vyre
