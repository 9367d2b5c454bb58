#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace gs::webhooks {

// Lower-case hex of HMAC-SHA256(key, message) (OpenSSL).
std::string hmac_sha256_hex(std::string_view key, std::string_view message);

// The X-GoldenSignals-Signature value, Stripe's scheme: "t=<unix seconds>,v1=<hex of
// HMAC-SHA256(secret, "<t>.<body>")>". docs/webhooks.md shows how a receiver checks it.
std::string signature_header(std::string_view secret, std::int64_t unix_seconds,
                             std::string_view body);

// Lower-case hex of the first `bytes` bytes of SHA-256(text).
std::string sha256_hex(std::string_view text, std::size_t bytes = 32);

}  // namespace gs::webhooks
