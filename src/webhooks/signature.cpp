#include "goldensignals/webhooks/signature.h"

#include <algorithm>
#include <array>

#include <fmt/format.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

namespace gs::webhooks {

namespace {

std::string hex(const unsigned char* data, std::size_t size) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(2 * size);
    for (std::size_t i = 0; i < size; ++i) {
        out.push_back(kHex[data[i] >> 4]);
        out.push_back(kHex[data[i] & 0xf]);
    }
    return out;
}

}  // namespace

std::string hmac_sha256_hex(std::string_view key, std::string_view message) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int length = 0;
    HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
         reinterpret_cast<const unsigned char*>(message.data()), message.size(), digest.data(),
         &length);
    return hex(digest.data(), length);
}

std::string signature_header(std::string_view secret, std::int64_t unix_seconds,
                             std::string_view body) {
    std::string signed_text = fmt::format("{}.", unix_seconds);
    signed_text.append(body);
    return fmt::format("t={},v1={}", unix_seconds, hmac_sha256_hex(secret, signed_text));
}

std::string sha256_hex(std::string_view text, std::size_t bytes) {
    std::array<unsigned char, SHA256_DIGEST_LENGTH> digest{};
    SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest.data());
    return hex(digest.data(), std::min<std::size_t>(bytes, digest.size()));
}

}  // namespace gs::webhooks
