// Strict number parsing and formatting with Redis's rules, shared by the RESP
// parser and the commands: "value is not an integer" must mean the same thing
// everywhere.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace ringcache {

// Accepts exactly what Redis's string2ll accepts: an optional '-', no '+', no
// spaces, no leading zeros (except "0" itself), and a value that fits int64.
bool ParseInt64(std::string_view s, int64_t* out);

// Decimal digits only (SCAN cursors), up to UINT64_MAX.
bool ParseUint64(std::string_view s, uint64_t* out);

// Accepts what Redis's string2ld accepts: a finite or infinite decimal/hex
// float with no surrounding spaces; never NaN.
bool ParseLongDouble(std::string_view s, long double* out);

// Like ParseLongDouble, for double-precision settings and arguments.
bool ParseDouble(std::string_view s, double* out);

// Writes `value` in decimal into `buf` (at least 21 bytes); returns the length.
size_t FormatInt64(int64_t value, char* buf);

// Writes `value` in decimal at `at` (room for 20 bytes) and returns the end.
// Two digits per step from a table, the length from a table of powers: RESP
// headers, bus commands and versions format numbers on every request.
char* WriteUint64(uint64_t value, char* at);

// The "human" long double format INCRBYFLOAT replies with: fixed point with 17
// decimals, trailing zeros (and a trailing dot) removed.
std::string FormatLongDouble(long double value);

// A double the way Redis prints doubles in replies ("%.17g", "inf", "-inf").
std::string FormatDouble(double value);

}  // namespace ringcache
