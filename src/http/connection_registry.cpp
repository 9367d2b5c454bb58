#include "http/connection_registry.h"

#include <algorithm>

namespace gs::http::detail {

ConnectionRegistry::Admit ConnectionRegistry::add(const std::shared_ptr<Connection>& connection,
                                                  std::shared_ptr<Connection>& evicted) {
    std::lock_guard lock(mutex_);
    Admit verdict = Admit::kAdmitted;
    // Connections already told to close still count until they are gone: the cap holds.
    if (all_.size() >= capacity_) {
        if (idle_head_ == nullptr) {
            return Admit::kFull;
        }
        Connection* oldest = idle_head_;
        unlink(*oldest);
        evicted = all_.at(oldest);
        verdict = Admit::kAdmittedEvicting;
    }
    all_.emplace(connection.get(), connection);
    return verdict;
}

void ConnectionRegistry::remove(const std::shared_ptr<Connection>& connection) {
    std::lock_guard lock(mutex_);
    unlink(*connection);
    all_.erase(connection.get());
}

void ConnectionRegistry::mark_idle(Connection& connection) {
    std::lock_guard lock(mutex_);
    unlink(connection);
    connection.idle_prev = idle_tail_;
    connection.idle_next = nullptr;
    if (idle_tail_ != nullptr) {
        idle_tail_->idle_next = &connection;
    } else {
        idle_head_ = &connection;
    }
    idle_tail_ = &connection;
    connection.idle_listed = true;
    ++idle_count_;
}

void ConnectionRegistry::mark_busy(Connection& connection) {
    std::lock_guard lock(mutex_);
    unlink(connection);
}

std::size_t ConnectionRegistry::size() const {
    std::lock_guard lock(mutex_);
    return all_.size();
}

std::size_t ConnectionRegistry::idle_size() const {
    std::lock_guard lock(mutex_);
    return idle_count_;
}

void ConnectionRegistry::unlink(Connection& connection) {
    if (!connection.idle_listed) {
        return;
    }
    if (connection.idle_prev != nullptr) {
        connection.idle_prev->idle_next = connection.idle_next;
    } else {
        idle_head_ = connection.idle_next;
    }
    if (connection.idle_next != nullptr) {
        connection.idle_next->idle_prev = connection.idle_prev;
    } else {
        idle_tail_ = connection.idle_prev;
    }
    connection.idle_prev = connection.idle_next = nullptr;
    connection.idle_listed = false;
    --idle_count_;
}

std::size_t default_connection_cap(std::size_t open_file_limit) {
    const std::size_t reserve = std::max<std::size_t>(64, open_file_limit / 10);
    return open_file_limit > reserve * 2 ? open_file_limit - reserve : open_file_limit / 2;
}

}  // namespace gs::http::detail
