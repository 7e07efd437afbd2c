// Status and Result<T>: how the data path reports expected failures.
//
// An OK Status holds no message and allocates nothing. Error statuses carry a
// code and the client-visible message *without* the Redis prefix; the prefix
// comes from the code (see ToRespError in reply_builder.h). Exceptions are kept
// for start-up problems and bugs.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace ringcache {

enum class StatusCode : uint8_t {
  kOk,
  kNotFound,
  kWrongType,
  kInvalidArgument,  // "ERR ..." replies: syntax, not-an-integer, overflow, ...
  kOutOfMemory,
  kUnavailable,
  kTimeout,
  kIOError,
  kCorruption,
};

class [[nodiscard]] Status {
 public:
  Status() = default;

  static Status Ok() { return {}; }
  static Status NotFound(std::string_view msg) { return {StatusCode::kNotFound, msg}; }
  static Status WrongType() { return {StatusCode::kWrongType, {}}; }
  static Status InvalidArgument(std::string_view msg) {
    return {StatusCode::kInvalidArgument, msg};
  }
  static Status OutOfMemory(std::string_view msg) { return {StatusCode::kOutOfMemory, msg}; }
  static Status IOError(std::string_view msg) { return {StatusCode::kIOError, msg}; }
  static Status Unavailable(std::string_view msg) { return {StatusCode::kUnavailable, msg}; }
  static Status Timeout(std::string_view msg) { return {StatusCode::kTimeout, msg}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  bool IsNotFound() const { return code_ == StatusCode::kNotFound; }
  bool IsWrongType() const { return code_ == StatusCode::kWrongType; }
  bool IsInvalidArgument() const { return code_ == StatusCode::kInvalidArgument; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

 private:
  Status(StatusCode code, std::string_view msg) : code_(code), message_(msg) {}

  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// A value or the Status that explains why there is none.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}          // NOLINT(google-explicit-constructor)
  Result(Status status) : status_(std::move(status)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }
  const T& value() const { return *value_; }
  T& value() { return *value_; }
  const T& operator*() const { return *value_; }
  const T* operator->() const { return &*value_; }

 private:
  std::optional<T> value_;
  Status status_;
};

}  // namespace ringcache
