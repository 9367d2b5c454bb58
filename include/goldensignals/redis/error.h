#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace gs::redis {

// Why a command produced no reply. An error *reply* from Redis (WRONGTYPE, ...) is not one of
// these: it comes back as a Reply of type kError.
enum class ErrorKind {
    // No live connection when the command was issued; commands are not queued while down.
    kNotConnected,
    // No reply within ClientOptions::command_timeout; the server may still run the command.
    kTimeout,
    // The connection dropped with the command in flight; the server may have run it.
    kDisconnected,
    // The exchange broke the protocol, or the call was malformed (an empty command, a reply
    // read as the wrong type).
    kProtocol,
    // Redis answered with an error where a value was required (Reply::as_* on an error reply).
    kServer,
    // The client was stopped.
    kClosed,
};

std::string_view to_string(ErrorKind kind) noexcept;

// The one error type of the Redis boundary.
class Error final : public std::runtime_error {
  public:
    Error(ErrorKind kind, const std::string& message);

    ErrorKind kind() const noexcept { return kind_; }

  private:
    ErrorKind kind_;
};

}  // namespace gs::redis
