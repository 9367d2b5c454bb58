#pragma once

#include <string_view>

#include <boost/asio/ip/address.hpp>

namespace gs::webhooks {

// What kind of address a webhook would reach. Only kPublic is allowed unless private
// addresses are (GS_WEBHOOK_ALLOW_PRIVATE): a webhook URL is chosen by an API client, and
// without this it could make the service call its own network (server-side request forgery).
enum class AddressClass {
    kPublic,
    kUnspecified,  // 0.0.0.0/8, ::
    kLoopback,     // 127.0.0.0/8, ::1
    kPrivate,      // 10/8, 172.16/12, 192.168/16, fc00::/7 (ULA), fec0::/10 (site-local)
    kCarrierNat,   // 100.64.0.0/10
    kLinkLocal,    // 169.254/16, fe80::/10
    kMulticast,    // 224/4, ff00::/8
    kReserved,     // 192.0.0/24, documentation and benchmark nets, 240/4, broadcast, 100::/64
};

std::string_view to_string(AddressClass kind) noexcept;

// IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d) and NAT64 (64:ff9b::/96) IPv6
// addresses are classified by the IPv4 address they carry.
AddressClass classify(const boost::asio::ip::address& address) noexcept;

inline bool allowed(const boost::asio::ip::address& address, bool allow_private) noexcept {
    return allow_private || classify(address) == AddressClass::kPublic;
}

}  // namespace gs::webhooks
