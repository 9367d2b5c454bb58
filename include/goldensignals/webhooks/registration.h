#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

#include "goldensignals/webhooks/webhook.h"

namespace gs::webhooks {

inline constexpr std::size_t kMinSecretLength = 16;
inline constexpr std::size_t kMaxSecretLength = 256;
inline constexpr std::size_t kMaxSymbolsPerWebhook = 1000;

// A registration the API refuses: `code` and `message` go into the 400 body.
class RegistrationError final : public std::invalid_argument {
  public:
    RegistrationError(std::string code, const std::string& message)
        : std::invalid_argument(message), code_(std::move(code)) {}
    const std::string& code() const noexcept { return code_; }

  private:
    std::string code_;
};

// Parses and checks a POST /v1/webhooks body {"url","secret","symbols","timeframes","on"}:
// a JSON object with exactly those keys (symbols defaults to ["*"], timeframes to ["1d"],
// on to "action_change"); url as parse_endpoint() takes it and, unless `allow_private`, not
// an IP literal outside public address space; secret of 16 to 256 bytes; symbols either
// ["*"] or 1 to 1000 valid symbols; timeframes 1 to 8 known ones. Duplicates are dropped.
// The id and created time are the caller's. Throws RegistrationError.
Webhook parse_registration(std::string_view body, bool allow_private);

// "wh_" and 24 random hex digits.
std::string new_webhook_id();

}  // namespace gs::webhooks
