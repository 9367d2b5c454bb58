#include "goldensignals/webhooks/signature.h"

#include <gtest/gtest.h>

namespace gs::webhooks {
namespace {

// Expected values computed independently with Python's hmac module:
//   hmac.new(key, msg, hashlib.sha256).hexdigest()
TEST(SignatureTest, HmacMatchesRfc4231TestCase2) {
    EXPECT_EQ(hmac_sha256_hex("Jefe", "what do ya want for nothing?"),
              "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(SignatureTest, HeaderSignsTimestampDotBodyAsPythonHmacDoes) {
    // python3 -c 'import hmac,hashlib; print(hmac.new(b"whsec_test_secret_0123456789",
    //   b"1700000000.{\"id\":\"evt_1\"}", hashlib.sha256).hexdigest())'
    EXPECT_EQ(signature_header("whsec_test_secret_0123456789", 1700000000, R"({"id":"evt_1"})"),
              "t=1700000000,v1=7e9a82a20098cf01f04d9c09f5a7459669bfecf51392ce3adb1445906fceff61");
}

TEST(SignatureTest, AnyChangeOfBodyTimeOrSecretChangesTheSignature) {
    const auto base = signature_header("secret-0123456789", 100, "{}");
    EXPECT_NE(base, signature_header("secret-0123456789", 101, "{}"));
    EXPECT_NE(base, signature_header("secret-0123456789", 100, "{ }"));
    EXPECT_NE(base, signature_header("secret-0123456780", 100, "{}"));
}

TEST(SignatureTest, Sha256HexTruncatesToTheBytesAsked) {
    // hashlib.sha256(b"abc").hexdigest()
    EXPECT_EQ(sha256_hex("abc"),
              "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    EXPECT_EQ(sha256_hex("abc", 4), "ba7816bf");
}

}  // namespace
}  // namespace gs::webhooks
