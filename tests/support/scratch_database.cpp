#include "support/scratch_database.h"

#include <algorithm>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <random>

#include <pqxx/connection>
#include <pqxx/nontransaction>

namespace gs::testing {

std::string with_database(const std::string& url, const std::string& database) {
    const auto scheme = url.find("://");
    if (scheme == std::string::npos) {
        return url + " dbname=" + database;
    }
    const auto slash = url.find('/', scheme + 3);
    const auto query = url.find('?', scheme + 3);
    const std::string head = url.substr(0, std::min(slash, query));
    const std::string tail = query == std::string::npos ? "" : url.substr(query);
    return head + "/" + database + tail;
}

ScratchDatabase::ScratchDatabase(const std::string& prefix) {
    const char* url = std::getenv("GS_TEST_DATABASE_URL");
    if (url == nullptr || *url == '\0') {
        return;
    }
    admin_url_ = url;
    std::mt19937_64 random{std::random_device{}()};
    name_ = prefix + std::to_string(random() % 1'000'000'000'000ULL);
    pqxx::connection admin(admin_url_);
    pqxx::nontransaction tx(admin);
    tx.exec0("CREATE DATABASE " + tx.quote_name(name_));
    url_ = with_database(admin_url_, name_);
}

ScratchDatabase::~ScratchDatabase() {
    if (url_.empty()) {
        return;
    }
    try {
        pqxx::connection admin(admin_url_);
        pqxx::nontransaction tx(admin);
        tx.exec0("DROP DATABASE IF EXISTS " + tx.quote_name(name_) + " WITH (FORCE)");
    } catch (const std::exception& e) {
        std::cerr << "could not drop test database " << name_ << ": " << e.what() << "\n";
    }
}

}  // namespace gs::testing
