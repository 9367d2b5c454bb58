#include "goldensignals/webhooks/address_policy.h"

#include <array>
#include <cstdint>

namespace gs::webhooks {

namespace {

struct V4Range {
    std::uint32_t network;
    int prefix;
    AddressClass kind;
};

constexpr std::uint32_t ip4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) {
    return (std::uint32_t{a} << 24) | (std::uint32_t{b} << 16) | (std::uint32_t{c} << 8) | d;
}

// IANA's IPv4 special-purpose registry, the parts a webhook must not reach.
constexpr std::array<V4Range, 17> kV4 = {{
    {ip4(0, 0, 0, 0), 8, AddressClass::kUnspecified},
    {ip4(10, 0, 0, 0), 8, AddressClass::kPrivate},
    {ip4(100, 64, 0, 0), 10, AddressClass::kCarrierNat},
    {ip4(127, 0, 0, 0), 8, AddressClass::kLoopback},
    {ip4(169, 254, 0, 0), 16, AddressClass::kLinkLocal},
    {ip4(172, 16, 0, 0), 12, AddressClass::kPrivate},
    {ip4(192, 0, 0, 0), 24, AddressClass::kReserved},
    {ip4(192, 0, 2, 0), 24, AddressClass::kReserved},
    {ip4(192, 88, 99, 0), 24, AddressClass::kReserved},
    {ip4(192, 168, 0, 0), 16, AddressClass::kPrivate},
    {ip4(198, 18, 0, 0), 15, AddressClass::kReserved},
    {ip4(198, 51, 100, 0), 24, AddressClass::kReserved},
    {ip4(203, 0, 113, 0), 24, AddressClass::kReserved},
    {ip4(224, 0, 0, 0), 4, AddressClass::kMulticast},
    {ip4(240, 0, 0, 0), 4, AddressClass::kReserved},  // includes 255.255.255.255
    {ip4(255, 255, 255, 255), 32, AddressClass::kReserved},
    {ip4(192, 31, 196, 0), 24, AddressClass::kReserved},
}};

AddressClass classify_v4(std::uint32_t address) noexcept {
    for (const auto& range : kV4) {
        const std::uint32_t mask = range.prefix == 0 ? 0 : ~std::uint32_t{0} << (32 - range.prefix);
        if ((address & mask) == range.network) {
            return range.kind;
        }
    }
    return AddressClass::kPublic;
}

AddressClass classify_v6(const boost::asio::ip::address_v6& address) noexcept {
    const auto b = address.to_bytes();
    const auto all_zero = [&b](std::size_t from, std::size_t to) {
        for (std::size_t i = from; i < to; ++i) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    };
    const auto embedded_v4 = [&b] { return ip4(b[12], b[13], b[14], b[15]); };
    if (address.is_unspecified()) {
        return AddressClass::kUnspecified;
    }
    if (address.is_loopback()) {
        return AddressClass::kLoopback;
    }
    // ::ffff:a.b.c.d (mapped) and ::a.b.c.d (compatible, deprecated): the IPv4 address.
    if (address.is_v4_mapped() || all_zero(0, 12)) {
        return classify_v4(embedded_v4());
    }
    // 64:ff9b::/96, the NAT64 well-known prefix, reaches the IPv4 address it carries.
    if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b && all_zero(4, 12)) {
        return classify_v4(embedded_v4());
    }
    if ((b[0] & 0xfe) == 0xfc) {
        return AddressClass::kPrivate;  // fc00::/7, unique local
    }
    if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) {
        return AddressClass::kLinkLocal;  // fe80::/10
    }
    if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0) {
        return AddressClass::kPrivate;  // fec0::/10, site-local (deprecated)
    }
    if (b[0] == 0xff) {
        return AddressClass::kMulticast;
    }
    if (b[0] == 0x01 && b[1] == 0x00 && all_zero(2, 8)) {
        return AddressClass::kReserved;  // 100::/64, discard-only
    }
    if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8) {
        return AddressClass::kReserved;  // 2001:db8::/32, documentation
    }
    return AddressClass::kPublic;
}

}  // namespace

std::string_view to_string(AddressClass kind) noexcept {
    switch (kind) {
        case AddressClass::kPublic:
            return "public";
        case AddressClass::kUnspecified:
            return "unspecified";
        case AddressClass::kLoopback:
            return "loopback";
        case AddressClass::kPrivate:
            return "private";
        case AddressClass::kCarrierNat:
            return "carrier-grade NAT";
        case AddressClass::kLinkLocal:
            return "link-local";
        case AddressClass::kMulticast:
            return "multicast";
        case AddressClass::kReserved:
            return "reserved";
    }
    return "reserved";
}

AddressClass classify(const boost::asio::ip::address& address) noexcept {
    if (address.is_v4()) {
        return classify_v4(address.to_v4().to_uint());
    }
    return classify_v6(address.to_v6());
}

}  // namespace gs::webhooks
