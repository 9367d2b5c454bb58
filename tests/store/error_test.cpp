#include "goldensignals/store/error.h"

#include <gtest/gtest.h>
#include <pqxx/except>

namespace gs::store {
namespace {

TEST(StoreErrorTest, MapsLibpqxxExceptionsToKinds) {
    EXPECT_EQ(to_store_error(pqxx::broken_connection("gone")).kind(), ErrorKind::kUnavailable);
    EXPECT_TRUE(to_store_error(pqxx::broken_connection("gone")).connection_lost());
    EXPECT_EQ(to_store_error(pqxx::unique_violation("dup", "q", "23505")).kind(),
              ErrorKind::kConflict);
    EXPECT_EQ(to_store_error(pqxx::deadlock_detected("dl")).kind(), ErrorKind::kConflict);
    EXPECT_EQ(to_store_error(pqxx::check_violation("chk", "q", "23514")).kind(),
              ErrorKind::kBadData);
    EXPECT_EQ(to_store_error(pqxx::data_exception("div", "q", "22012")).kind(),
              ErrorKind::kBadData);
    EXPECT_EQ(to_store_error(pqxx::sql_error("shutdown", "q", "57P01")).kind(),
              ErrorKind::kUnavailable);
    EXPECT_EQ(to_store_error(pqxx::sql_error("timeout", "q", "57014")).kind(),
              ErrorKind::kUnavailable);
    EXPECT_FALSE(to_store_error(pqxx::sql_error("timeout", "q", "57014")).connection_lost());
    EXPECT_EQ(to_store_error(pqxx::undefined_table("no table", "q", "42P01")).kind(),
              ErrorKind::kInternal);
}

TEST(StoreErrorTest, StoreErrorsPassThroughUnchanged) {
    const Error original(ErrorKind::kConflict, "mine");
    const Error mapped = to_store_error(original);
    EXPECT_EQ(mapped.kind(), ErrorKind::kConflict);
    EXPECT_STREQ(mapped.what(), "mine");
}

TEST(StoreErrorTest, WithStoreErrorsTranslatesWhatItCatches) {
    try {
        with_store_errors([]() -> int { throw pqxx::check_violation("chk", "q", "23514"); });
        FAIL() << "nothing thrown";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::kBadData);
    }
    EXPECT_EQ(with_store_errors([] { return 7; }), 7);
}

TEST(StoreErrorTest, KindsHaveStableNames) {
    EXPECT_EQ(to_string(ErrorKind::kUnavailable), "unavailable");
    EXPECT_EQ(to_string(ErrorKind::kConflict), "conflict");
    EXPECT_EQ(to_string(ErrorKind::kBadData), "bad_data");
    EXPECT_EQ(to_string(ErrorKind::kInternal), "internal");
}

}  // namespace
}  // namespace gs::store
