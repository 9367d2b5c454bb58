#pragma once

#include <exception>
#include <stdexcept>
#include <string>
#include <string_view>

namespace gs::store {

enum class ErrorKind {
    kUnavailable,  // no connection, connection lost, server shutting down, timeout
    kConflict,     // unique violation, serialization failure, deadlock: retrying may succeed
    kBadData,      // the data broke a constraint or could not be converted: never retry as is
    kInternal,     // anything else (a bug in a statement, missing table, ...)
};

std::string_view to_string(ErrorKind kind) noexcept;

// The one error type of the PostgreSQL boundary: everything `gs::store` throws is this.
class Error final : public std::runtime_error {
  public:
    Error(ErrorKind kind, const std::string& message, bool connection_lost = false)
        : std::runtime_error(message), kind_(kind), connection_lost_(connection_lost) {}

    ErrorKind kind() const noexcept { return kind_; }
    // The connection the error came from is gone (the pool re-opens it).
    bool connection_lost() const noexcept { return connection_lost_; }

  private:
    ErrorKind kind_;
    bool connection_lost_;
};

// Classifies a libpqxx (or other) exception. Store errors pass through unchanged.
Error to_store_error(const std::exception& error);
// The same for the exception in flight; call it inside a catch block only.
Error current_store_error();
// True when the error means the connection it came from cannot be used again.
bool is_connection_failure(const std::exception& error);

// Runs f, turning any libpqxx exception into store::Error.
template <typename F>
decltype(auto) with_store_errors(F&& f) {
    try {
        return f();
    } catch (const Error&) {
        throw;
    } catch (const std::exception& e) {
        throw to_store_error(e);
    }
}

}  // namespace gs::store
