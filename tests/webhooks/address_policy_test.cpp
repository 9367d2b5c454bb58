#include "goldensignals/webhooks/address_policy.h"

#include <gtest/gtest.h>

namespace gs::webhooks {
namespace {

struct Row {
    const char* address;
    AddressClass expected;
};

// One row per rule of address_policy.h, with both edges of the ranges that have neighbours
// that must stay public.
const Row kTable[] = {
    {"8.8.8.8", AddressClass::kPublic},
    {"1.1.1.1", AddressClass::kPublic},
    {"0.0.0.0", AddressClass::kUnspecified},
    {"0.255.255.255", AddressClass::kUnspecified},
    {"10.0.0.1", AddressClass::kPrivate},
    {"10.255.255.255", AddressClass::kPrivate},
    {"11.0.0.0", AddressClass::kPublic},
    {"100.63.255.255", AddressClass::kPublic},
    {"100.64.0.0", AddressClass::kCarrierNat},
    {"100.127.255.255", AddressClass::kCarrierNat},
    {"100.128.0.0", AddressClass::kPublic},
    {"127.0.0.1", AddressClass::kLoopback},
    {"127.255.255.254", AddressClass::kLoopback},
    {"169.254.169.254", AddressClass::kLinkLocal},  // cloud metadata endpoints
    {"172.15.255.255", AddressClass::kPublic},
    {"172.16.0.0", AddressClass::kPrivate},
    {"172.31.255.255", AddressClass::kPrivate},
    {"172.32.0.0", AddressClass::kPublic},
    {"192.0.0.8", AddressClass::kReserved},
    {"192.0.2.1", AddressClass::kReserved},
    {"192.167.255.255", AddressClass::kPublic},
    {"192.168.1.1", AddressClass::kPrivate},
    {"192.169.0.0", AddressClass::kPublic},
    {"198.18.0.1", AddressClass::kReserved},
    {"198.19.255.255", AddressClass::kReserved},
    {"198.51.100.7", AddressClass::kReserved},
    {"203.0.113.9", AddressClass::kReserved},
    {"224.0.0.1", AddressClass::kMulticast},
    {"239.255.255.250", AddressClass::kMulticast},
    {"240.0.0.1", AddressClass::kReserved},
    {"255.255.255.255", AddressClass::kReserved},
    {"2606:4700:4700::1111", AddressClass::kPublic},
    {"2001:4860:4860::8888", AddressClass::kPublic},
    {"::", AddressClass::kUnspecified},
    {"::1", AddressClass::kLoopback},
    {"fc00::1", AddressClass::kPrivate},
    {"fdff:ffff::1", AddressClass::kPrivate},
    {"fe80::1", AddressClass::kLinkLocal},
    {"febf::1", AddressClass::kLinkLocal},
    {"fec0::1", AddressClass::kPrivate},
    {"ff02::1", AddressClass::kMulticast},
    {"2001:db8::1", AddressClass::kReserved},
    {"100::1", AddressClass::kReserved},
    // IPv4 inside IPv6: judged by the IPv4 address.
    {"::ffff:127.0.0.1", AddressClass::kLoopback},
    {"::ffff:10.1.2.3", AddressClass::kPrivate},
    {"::ffff:169.254.169.254", AddressClass::kLinkLocal},
    {"::ffff:8.8.8.8", AddressClass::kPublic},
    {"::127.0.0.1", AddressClass::kLoopback},
    {"64:ff9b::192.168.0.1", AddressClass::kPrivate},
    {"64:ff9b::8.8.8.8", AddressClass::kPublic},
};

TEST(AddressPolicyTest, ClassifiesTheTable) {
    for (const auto& row : kTable) {
        const auto address = boost::asio::ip::make_address(row.address);
        EXPECT_EQ(to_string(classify(address)), to_string(row.expected)) << row.address;
    }
}

TEST(AddressPolicyTest, AllowsOnlyPublicAddressesUnlessPrivateAreAllowed) {
    const auto loopback = boost::asio::ip::make_address("127.0.0.1");
    const auto mapped = boost::asio::ip::make_address("::ffff:192.168.0.10");
    const auto public_address = boost::asio::ip::make_address("93.184.216.34");
    EXPECT_FALSE(allowed(loopback, false));
    EXPECT_FALSE(allowed(mapped, false));
    EXPECT_TRUE(allowed(public_address, false));
    EXPECT_TRUE(allowed(loopback, true));
    EXPECT_TRUE(allowed(mapped, true));
}

}  // namespace
}  // namespace gs::webhooks
