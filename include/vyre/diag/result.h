// Result<T>: a value or the Diagnostic that explains why there is none. Errors are values in
// vyre; VYRE_TRY propagates them so the happy path reads straight down.
#pragma once

#include <cassert>
#include <type_traits>
#include <utility>
#include <variant>

#include "vyre/diag/diagnostic.h"

namespace vyre {

template <class T>
class [[nodiscard]] Result {
 public:
  using value_type = T;

  Result(T value) : state_(std::in_place_index<0>, std::move(value)) {}           // NOLINT implicit
  Result(Diagnostic error) : state_(std::in_place_index<1>, std::move(error)) {}  // NOLINT
  template <class U>
  requires(std::is_constructible_v<T, U&&> && !std::is_same_v<std::decay_t<U>, Diagnostic> &&
           !std::is_same_v<std::decay_t<U>, Result>) Result(U&& value)
      : state_(std::in_place_index<0>, T(std::forward<U>(value))) {}  // NOLINT

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & {
    assert(ok());
    return std::get<0>(state_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<0>(state_);
  }
  T&& value() && {
    assert(ok());
    return std::get<0>(std::move(state_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Diagnostic& error() const& {
    assert(!ok());
    return std::get<1>(state_);
  }
  Diagnostic&& error() && {
    assert(!ok());
    return std::get<1>(std::move(state_));
  }

 private:
  std::variant<T, Diagnostic> state_;
};

// Result<void>: success, or a Diagnostic.
struct Ok {};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Ok) {}                                                          // NOLINT implicit
  Result(Diagnostic error) : error_(std::move(error)), failed_(true) {}  // NOLINT
  bool ok() const { return !failed_; }
  explicit operator bool() const { return ok(); }
  void value() const { assert(ok()); }
  const Diagnostic& error() const& {
    assert(!ok());
    return error_;
  }
  Diagnostic&& error() && {
    assert(!ok());
    return std::move(error_);
  }

 private:
  Diagnostic error_;
  bool failed_ = false;
};

using Status = Result<void>;

namespace detail {
template <class T>
decltype(auto) take_value(Result<T>&& r) {
  if constexpr (std::is_void_v<T>) {
    return;
  } else {
    return std::move(r).value();
  }
}
}  // namespace detail

}  // namespace vyre

// VYRE_TRY(expr): evaluates a Result; on error returns its Diagnostic from the enclosing
// function (whose return type must be a Result), else yields the value:
//   auto program = VYRE_TRY(parse_program(text));
//   VYRE_TRY(validate_limits(program, caps));
#define VYRE_TRY(...)                                                       \
  __extension__({                                                           \
    auto vyre_try_result_ = (__VA_ARGS__);                                  \
    if (!vyre_try_result_.ok()) return std::move(vyre_try_result_).error(); \
    ::vyre::detail::take_value(std::move(vyre_try_result_));                \
  })

// The portable form for compilers without GNU statement expressions (MSVC): a statement, not an
// expression. VYRE_TRY_ASSIGN(auto program, parse_program(text)); VYRE_TRY_STATUS(check(p));
#define VYRE_TRY_CONCAT_INNER_(a, b) a##b
#define VYRE_TRY_CONCAT_(a, b) VYRE_TRY_CONCAT_INNER_(a, b)
#define VYRE_TRY_ASSIGN(lhs, ...)                                                      \
  auto VYRE_TRY_CONCAT_(vyre_try_assign_, __LINE__) = (__VA_ARGS__);                   \
  if (!VYRE_TRY_CONCAT_(vyre_try_assign_, __LINE__).ok())                              \
    return std::move(VYRE_TRY_CONCAT_(vyre_try_assign_, __LINE__)).error();            \
  lhs = std::move(VYRE_TRY_CONCAT_(vyre_try_assign_, __LINE__)).value()
#define VYRE_TRY_STATUS(...)                                                     \
  do {                                                                           \
    auto vyre_try_status_ = (__VA_ARGS__);                                       \
    if (!vyre_try_status_.ok()) return std::move(vyre_try_status_).error();      \
  } while (false)
