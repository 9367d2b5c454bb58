#pragma once

#include <stdexcept>
#include <string>

#include <boost/beast/http/status.hpp>

namespace gs::http {

// The one error type a handler throws to answer a client with a 4xx (or a 503): the session
// turns it into `{"error": {"code", "message"}}` with this status. Anything else a handler
// throws is a bug and becomes a 500 whose body says nothing of the internals.
class ClientError final : public std::runtime_error {
  public:
    ClientError(boost::beast::http::status status, std::string code, std::string message)
        : std::runtime_error(std::move(message)), status_(status), code_(std::move(code)) {}

    boost::beast::http::status status() const noexcept { return status_; }
    const std::string& code() const noexcept { return code_; }

  private:
    boost::beast::http::status status_;
    std::string code_;
};

}  // namespace gs::http
