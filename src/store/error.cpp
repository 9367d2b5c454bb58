#include "goldensignals/store/error.h"

#include <pqxx/except>

namespace gs::store {

std::string_view to_string(ErrorKind kind) noexcept {
    switch (kind) {
        case ErrorKind::kUnavailable:
            return "unavailable";
        case ErrorKind::kConflict:
            return "conflict";
        case ErrorKind::kBadData:
            return "bad_data";
        case ErrorKind::kInternal:
            return "internal";
    }
    return "internal";
}

namespace {

bool starts_with(const std::string& text, std::string_view prefix) {
    return text.compare(0, prefix.size(), prefix) == 0;
}

// SQLSTATE classes that mean the server or the link went away: 08 connection exception,
// 57P01..57P05 admin/crash shutdown, cannot connect now, idle session timeout.
bool is_unavailable_state(const std::string& state) {
    return starts_with(state, "08") || starts_with(state, "57P") || state == "53300";
}

}  // namespace

bool is_connection_failure(const std::exception& error) {
    if (const auto* own = dynamic_cast<const Error*>(&error)) {
        return own->connection_lost();
    }
    if (dynamic_cast<const pqxx::broken_connection*>(&error) != nullptr) {
        return true;
    }
    if (const auto* sql = dynamic_cast<const pqxx::sql_error*>(&error)) {
        return is_unavailable_state(sql->sqlstate());
    }
    return false;
}

Error to_store_error(const std::exception& error) {
    if (const auto* own = dynamic_cast<const Error*>(&error)) {
        return *own;
    }
    const std::string what = error.what();
    if (is_connection_failure(error) ||
        dynamic_cast<const pqxx::in_doubt_error*>(&error) != nullptr) {
        return Error(ErrorKind::kUnavailable, "postgres unavailable: " + what,
                     is_connection_failure(error));
    }
    if (dynamic_cast<const pqxx::unique_violation*>(&error) != nullptr ||
        dynamic_cast<const pqxx::transaction_rollback*>(&error) != nullptr) {
        return Error(ErrorKind::kConflict, "postgres conflict: " + what);
    }
    if (dynamic_cast<const pqxx::integrity_constraint_violation*>(&error) != nullptr ||
        dynamic_cast<const pqxx::data_exception*>(&error) != nullptr ||
        dynamic_cast<const pqxx::conversion_error*>(&error) != nullptr) {
        return Error(ErrorKind::kBadData, "postgres refused the data: " + what);
    }
    if (const auto* sql = dynamic_cast<const pqxx::sql_error*>(&error)) {
        const std::string& state = sql->sqlstate();
        // 40: transaction rollback (serialization, deadlock); 55P03: lock not available;
        // 57014: query canceled (statement_timeout).
        if (starts_with(state, "40") || state == "55P03") {
            return Error(ErrorKind::kConflict, "postgres conflict: " + what);
        }
        if (state == "57014") {
            return Error(ErrorKind::kUnavailable, "postgres statement timed out: " + what);
        }
        if (starts_with(state, "22") || starts_with(state, "23")) {
            return Error(ErrorKind::kBadData, "postgres refused the data: " + what);
        }
    }
    return Error(ErrorKind::kInternal, "postgres error: " + what);
}

Error current_store_error() {
    try {
        throw;
    } catch (const std::exception& e) {
        return to_store_error(e);
    } catch (...) {
        return Error(ErrorKind::kInternal, "unknown error");
    }
}

}  // namespace gs::store
