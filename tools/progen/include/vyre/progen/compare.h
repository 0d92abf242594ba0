// Comparing the outputs of two backends: integers and bools bit for bit, floats bit for bit or
// within a ULP budget (for transcendental ops). Every NaN equals every other NaN, whatever its
// sign or payload: the IR does not define NaN payload propagation.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "vyre/backend/host_buffer.h"

namespace vyre::progen {

// Units in the last place between two floats of one type, on the ordered integer line where
// -0.0 and +0.0 are one step apart. Two NaNs are 0 apart; a NaN and a number are UINT64_MAX.
std::uint64_t ulp_distance(float a, float b);
std::uint64_t ulp_distance(double a, double b);

// The first element where two buffers differ.
struct Mismatch {
  std::string buffer;
  std::size_t element = 0;
  std::string expected;  // the value, printed by type ("-0x1p+0 (bits 0xbf800000)", "-7")
  std::string actual;
  std::string describe() const;  // "`out`[3]: expected 7, got 0"
};

// Compares one buffer: equal element types and counts, then element by element. `ulp` applies
// to floats only; with 0 floats must have equal bits (NaNs aside).
std::optional<Mismatch> compare_buffer(const std::string& name, const HostBuffer& expected,
                                       const HostBuffer& actual, std::uint64_t ulp = 0);

// Compares every buffer of `expected` with the same-named buffer of `actual`.
std::optional<Mismatch> compare_outputs(const std::map<std::string, HostBuffer>& expected,
                                        const std::map<std::string, HostBuffer>& actual,
                                        std::uint64_t ulp = 0);

// One element as text, by the buffer's element type.
std::string format_element(const HostBuffer& buffer, std::size_t index);

}  // namespace vyre::progen
