#include "goldensignals/redis/subscriber.h"

#include <atomic>
#include <chrono>
#include <cstring>
#include <deque>
#include <exception>
#include <set>
#include <utility>

#include <hiredis/hiredis.h>
#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/execution.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "redis/connection.h"

namespace gs::redis {
namespace detail {

namespace asio = boost::asio;

// PING on a subscribed connection relies on how hiredis 0.14 routes replies there (see
// ping()); hiredis 1.1 routes them differently (its pull request 1027). Revisit on upgrade.
static_assert(HIREDIS_MAJOR == 0 && HIREDIS_MINOR == 14,
              "Subscriber::ping() is written against hiredis 0.14's pub/sub reply routing");

using PingHandler = Subscriber::PingHandler;

// PING <kPingPattern> in the wire format, built once.
const std::string& ping_command() {
    static const std::string command = [] {
        const std::string_view token = Subscriber::kPingPattern;
        return "*2\r\n$4\r\nPING\r\n$" + std::to_string(token.size()) + "\r\n" +
               std::string(token) + "\r\n";
    }();
    return command;
}

// The pub/sub connection: the set of channels and patterns is the truth; on every (re)connect
// the whole set is subscribed again, and the connection counts as up once Redis confirmed it.
class SubscriberConnection final : public Connection {
  public:
    SubscriberConnection(asio::any_io_executor executor, ClientOptions options)
        : Connection(std::move(executor), std::move(options), "subscriber"),
          ping_timer_(strand()) {}

    void set_message_handler(Subscriber::MessageHandler handler) { handler_ = std::move(handler); }
    void set_array_handler(Subscriber::ArrayMessageHandler handler) {
        array_handler_ = std::move(handler);
    }
    std::int64_t client_id() const noexcept { return client_id_.load(std::memory_order_acquire); }
    // Before start().
    void set_broadcast_prefixes(std::vector<std::string> prefixes) {
        broadcast_prefixes_ = std::move(prefixes);
    }
    bool broadcast_tracking() const noexcept {
        return broadcast_on_.load(std::memory_order_acquire);
    }

    // On the strand.
    void add(std::vector<std::string> names, bool pattern) {
        auto& known = pattern ? patterns_ : channels_;
        std::vector<std::string> fresh;
        for (auto& name : names) {
            if (known.insert(name).second) {
                fresh.push_back(std::move(name));
            }
        }
        redisAsyncContext* context = handshaken_context();
        if (fresh.empty() || context == nullptr) {
            // Not connected: the next connect subscribes the whole set.
            return;
        }
        if (!send(context, pattern ? "PSUBSCRIBE" : "SUBSCRIBE", fresh)) {
            fail("cannot queue a subscription");
            return;
        }
        if (!ready()) {
            confirmations_pending_ += fresh.size();
        }
    }

    // On the strand.
    void remove(std::vector<std::string> names, bool pattern) {
        auto& known = pattern ? patterns_ : channels_;
        std::vector<std::string> gone;
        for (auto& name : names) {
            if (known.erase(name) > 0) {
                gone.push_back(std::move(name));
            }
        }
        if (redisAsyncContext* context = handshaken_context();
            context != nullptr && !gone.empty()) {
            // hiredis refuses when nothing is subscribed yet, which is fine.
            send(context, pattern ? "PUNSUBSCRIBE" : "UNSUBSCRIBE", gone);
        }
    }

  protected:
    bool on_handshake_done(redisAsyncContext* context) override {
        confirmations_pending_ = 0;
        client_id_.store(0, std::memory_order_release);
        broadcast_on_.store(false, std::memory_order_release);
        // Before any SUBSCRIBE: a subscribed RESP2 connection takes no other command. hiredis
        // answers regular callbacks before it looks for subscription callbacks.
        if (send_command(context, &SubscriberConnection::on_client_id, this, {"CLIENT", "ID"}) !=
            REDIS_OK) {
            fail("cannot queue CLIENT ID");
            return false;
        }
        if (!broadcast_prefixes_.empty()) {
            // CLIENT TRACKING needs this connection's id, so the subscriptions wait for its
            // reply (on_client_id, then on_tracking).
            return false;
        }
        return subscribe_all(context);
    }

    // On the strand: subscribes the whole set; true when there is nothing to confirm.
    bool subscribe_all(redisAsyncContext* context) {
        if (channels_.empty() && patterns_.empty()) {
            return true;
        }
        for (bool pattern : {false, true}) {
            const auto& known = pattern ? patterns_ : channels_;
            if (known.empty()) {
                continue;
            }
            std::vector<std::string> names(known.begin(), known.end());
            if (!send(context, pattern ? "PSUBSCRIBE" : "SUBSCRIBE", names)) {
                fail("cannot queue the subscriptions");
                return false;
            }
            confirmations_pending_ += names.size();
        }
        return false;
    }

    void on_connection_lost() override {
        confirmations_pending_ = 0;
        broadcast_on_.store(false, std::memory_order_release);
        client_id_.store(0, std::memory_order_release);
        fail_pings(stop_requested() ? ErrorKind::kClosed : ErrorKind::kDisconnected,
                   "the connection dropped before the PING reply");
    }

  public:
    // On the strand. hiredis 0.14 gives a subscribed connection's PING reply, ["pong", arg],
    // to the callback of the *pattern* named arg (it reads the leading 'p' as "pmessage"),
    // and would leave a regular callback queued for a reply that never comes. So the command
    // goes into the output buffer without a callback, the connection subscribes the pattern
    // kPingPattern (a literal name nothing is published to), and the pongs are counted here:
    // they come back in the order the PINGs went out.
    void ping(PingHandler handler) {
        if (!ping_enabled_) {
            ping_enabled_ = true;
            add({std::string(Subscriber::kPingPattern)}, true);
        }
        redisAsyncContext* context = ready() ? handshaken_context() : nullptr;
        if (context == nullptr) {
            complete(std::move(handler), unavailable_kind(), "not subscribed");
            return;
        }
        const std::string& command = ping_command();
        if (redisAppendFormattedCommand(&context->c, command.data(), command.size()) != REDIS_OK) {
            complete(std::move(handler), ErrorKind::kDisconnected, "cannot queue PING");
            fail("cannot queue PING");
            return;
        }
        if (context->ev.addWrite != nullptr) {
            context->ev.addWrite(context->ev.data);
        }
        pings_.push_back(
            {std::chrono::steady_clock::now() + options().command_timeout, std::move(handler)});
        if (pings_.size() == 1) {
            arm_ping_timer();
        }
    }

  private:
    struct Ping {
        std::chrono::steady_clock::time_point deadline;
        PingHandler handler;
    };

    // On the handler's own executor, never inline (asio::post cannot take an
    // any_completion_handler in Boost 1.81; its executor can).
    static void resume(PingHandler handler, std::exception_ptr error) {
        auto executor =
            asio::prefer(asio::get_associated_executor(handler), asio::execution::blocking.never);
        executor.execute([handler = std::move(handler), error = std::move(error)]() mutable {
            std::move(handler)(error);
        });
    }

    static void complete(PingHandler handler, ErrorKind kind, const std::string& message) {
        resume(std::move(handler),
               std::make_exception_ptr(Error(kind, "subscriber PING: " + message)));
    }

    void fail_pings(ErrorKind kind, const std::string& message) {
        auto pending = std::move(pings_);
        pings_.clear();
        ping_timer_.cancel();
        for (auto& ping : pending) {
            complete(std::move(ping.handler), kind, message);
        }
    }

    void on_pong() {
        if (pings_.empty() || !ready()) {
            // Not ours, or the connection is being dropped: its pings fail with it.
            return;
        }
        auto handler = std::move(pings_.front().handler);
        pings_.pop_front();
        if (pings_.empty()) {
            ping_timer_.cancel();
        }
        resume(std::move(handler), nullptr);
    }

    void arm_ping_timer() {
        ping_timer_.expires_at(pings_.front().deadline);
        ping_timer_.async_wait([self = std::static_pointer_cast<SubscriberConnection>(
                                    shared_from_this())](const boost::system::error_code& error) {
            if (!error) {
                self->ping_timer_fired();
            }
        });
    }

    void ping_timer_fired() {
        if (pings_.empty()) {
            return;
        }
        if (std::chrono::steady_clock::now() < pings_.front().deadline) {
            arm_ping_timer();
            return;
        }
        if (stop_requested()) {
            fail_pings(ErrorKind::kClosed, "stopped");
            return;
        }
        // A reply that comes later must not complete a later PING: drop the connection.
        fail("PING timed out");
        fail_pings(ErrorKind::kTimeout,
                   "no reply within " + std::to_string(options().command_timeout.count()) + " ms");
    }

    bool send(redisAsyncContext* context, const char* verb, const std::vector<std::string>& names) {
        std::vector<std::string> args;
        args.reserve(names.size() + 1);
        args.emplace_back(verb);
        args.insert(args.end(), names.begin(), names.end());
        return send_command(context, &SubscriberConnection::on_pubsub, this, args) == REDIS_OK;
    }

    static void on_pubsub(redisAsyncContext* /*context*/, void* reply, void* data) {
        auto* self = static_cast<SubscriberConnection*>(data);
        const auto* answer = static_cast<const redisReply*>(reply);
        if (answer == nullptr) {
            // The context is being freed; the connection loop reports the drop.
            return;
        }
        try {
            self->handle(*answer);
        } catch (const std::exception& e) {
            logger()->error("{}: message handler threw: {}", self->label(), e.what());
        } catch (...) {
            logger()->error("{}: message handler threw", self->label());
        }
    }

    static void on_client_id(redisAsyncContext* context, void* reply, void* data) {
        auto* self = static_cast<SubscriberConnection*>(data);
        const auto* answer = static_cast<const redisReply*>(reply);
        if (answer == nullptr) {
            return;  // the context is being freed
        }
        if (answer->type == REDIS_REPLY_INTEGER) {
            self->client_id_.store(answer->integer, std::memory_order_release);
        }
        if (self->broadcast_prefixes_.empty()) {
            return;
        }
        if (answer->type != REDIS_REPLY_INTEGER) {
            self->fail("CLIENT ID refused");
            return;
        }
        // Broadcast tracking redirected to this very connection (RESP2 delivers invalidations
        // only to a subscribed redirect target): Redis then tells this connection of every
        // change of a key under the prefixes, whoever read it, so the tracking's life is this
        // connection's life and one PING on it is a complete read barrier.
        std::vector<std::string> args{
            "CLIENT", "TRACKING", "on", "REDIRECT", std::to_string(answer->integer), "BCAST"};
        for (const auto& prefix : self->broadcast_prefixes_) {
            args.emplace_back("PREFIX");
            args.push_back(prefix);
        }
        if (send_command(context, &SubscriberConnection::on_tracking, self, args) != REDIS_OK) {
            self->fail("cannot queue CLIENT TRACKING");
        }
    }

    static void on_tracking(redisAsyncContext* context, void* reply, void* data) {
        auto* self = static_cast<SubscriberConnection*>(data);
        const auto* answer = static_cast<const redisReply*>(reply);
        if (answer == nullptr) {
            return;
        }
        if (answer->type == REDIS_REPLY_STATUS) {
            self->broadcast_on_.store(true, std::memory_order_release);
        } else if (!self->tracking_refused_logged_) {
            // Subscribed all the same; the owner sees broadcast_tracking() false.
            self->tracking_refused_logged_ = true;
            logger()->warn("{}: CLIENT TRACKING BCAST refused: {}", self->label(),
                           answer->type == REDIS_REPLY_ERROR ? std::string(answer->str, answer->len)
                                                             : std::string("no status"));
        }
        try {
            if (self->subscribe_all(context)) {
                self->mark_ready();
            }
        } catch (const std::exception& e) {
            self->fail(std::string("subscribe: ") + e.what());
        }
    }

    static std::string_view view(const redisReply* item) {
        return item->type == REDIS_REPLY_STRING ? std::string_view(item->str, item->len)
                                                : std::string_view();
    }

    void handle(const redisReply& reply) {
        if (reply.type == REDIS_REPLY_ARRAY && reply.elements == 2 &&
            view(reply.element[0]) == "pong" &&
            view(reply.element[1]) == Subscriber::kPingPattern) {
            on_pong();
            return;
        }
        if (reply.type != REDIS_REPLY_ARRAY || reply.elements < 3) {
            if (reply.type == REDIS_REPLY_ERROR) {
                fail("subscription refused: " + std::string(reply.str, reply.len));
            }
            return;
        }
        const std::string_view kind = view(reply.element[0]);
        if (kind == "message" && (reply.element[2]->type == REDIS_REPLY_ARRAY ||
                                  reply.element[2]->type == REDIS_REPLY_NIL)) {
            deliver_array(view(reply.element[1]), *reply.element[2]);
        } else if (kind == "message") {
            deliver(view(reply.element[1]), view(reply.element[2]));
        } else if (kind == "pmessage" && reply.elements >= 4) {
            deliver(view(reply.element[2]), view(reply.element[3]));
        } else if (kind == "subscribe" || kind == "psubscribe") {
            if (confirmations_pending_ > 0 && --confirmations_pending_ == 0) {
                mark_ready();
            }
        }
    }

    void deliver(std::string_view channel, std::string_view payload) {
        if (handler_ && !stop_requested()) {
            handler_(channel, payload);
        }
    }

    void deliver_array(std::string_view channel, const redisReply& payload) {
        if (!array_handler_ || stop_requested()) {
            return;
        }
        if (payload.type == REDIS_REPLY_NIL) {
            array_handler_(channel, nullptr);
            return;
        }
        std::vector<std::string_view> items;
        items.reserve(payload.elements);
        for (std::size_t i = 0; i < payload.elements; ++i) {
            items.push_back(view(payload.element[i]));
        }
        array_handler_(channel, &items);
    }

    std::set<std::string> channels_;
    std::set<std::string> patterns_;
    std::size_t confirmations_pending_ = 0;
    Subscriber::MessageHandler handler_;
    Subscriber::ArrayMessageHandler array_handler_;
    std::atomic<std::int64_t> client_id_{0};
    std::vector<std::string> broadcast_prefixes_;
    std::atomic<bool> broadcast_on_{false};
    bool tracking_refused_logged_ = false;
    bool ping_enabled_ = false;
    std::deque<Ping> pings_;
    asio::steady_timer ping_timer_;
};

}  // namespace detail

std::shared_ptr<Subscriber> Subscriber::create(boost::asio::any_io_executor executor,
                                               ClientOptions options) {
    validate(options);
    auto connection =
        std::make_shared<detail::SubscriberConnection>(std::move(executor), std::move(options));
    return std::shared_ptr<Subscriber>(new Subscriber(std::move(connection)));
}

Subscriber::Subscriber(std::shared_ptr<detail::SubscriberConnection> connection)
    : connection_(std::move(connection)) {}

Subscriber::~Subscriber() {
    connection_->stop();
}

void Subscriber::on_message(MessageHandler handler) {
    connection_->set_message_handler(std::move(handler));
}

void Subscriber::on_array_message(ArrayMessageHandler handler) {
    connection_->set_array_handler(std::move(handler));
}

std::int64_t Subscriber::client_id() const noexcept {
    return connection_->client_id();
}

void Subscriber::track_broadcast(std::vector<std::string> prefixes) {
    connection_->set_broadcast_prefixes(std::move(prefixes));
}

bool Subscriber::broadcast_tracking() const noexcept {
    return connection_->broadcast_tracking();
}

void Subscriber::on_state_change(std::function<void(bool up)> handler) {
    connection_->on_state_change(std::move(handler));
}

void Subscriber::start() {
    connection_->start();
}

void Subscriber::stop() {
    connection_->stop();
}

bool Subscriber::connected() const noexcept {
    return connection_->connected();
}

void Subscriber::subscribe(std::vector<std::string> channels) {
    boost::asio::post(connection_->strand(),
                      [connection = connection_, channels = std::move(channels)]() mutable {
                          connection->add(std::move(channels), false);
                      });
}

void Subscriber::psubscribe(std::vector<std::string> patterns) {
    boost::asio::post(connection_->strand(),
                      [connection = connection_, patterns = std::move(patterns)]() mutable {
                          connection->add(std::move(patterns), true);
                      });
}

void Subscriber::unsubscribe(std::vector<std::string> channels) {
    boost::asio::post(connection_->strand(),
                      [connection = connection_, channels = std::move(channels)]() mutable {
                          connection->remove(std::move(channels), false);
                      });
}

void Subscriber::start_ping(PingHandler handler) {
    // The handler holds the connection alive until its reply (or failure) is in.
    boost::asio::dispatch(connection_->strand(),
                          [connection = connection_, handler = std::move(handler)]() mutable {
                              connection->ping(std::move(handler));
                          });
}

boost::asio::awaitable<void> Subscriber::ping() {
    // Keeps the subscriber alive while the caller waits (named locals: docs/coroutines.md).
    auto self = shared_from_this();
    // use_awaitable rethrows the handler's exception_ptr.
    co_await async_ping(boost::asio::use_awaitable);
}

void Subscriber::punsubscribe(std::vector<std::string> patterns) {
    boost::asio::post(connection_->strand(),
                      [connection = connection_, patterns = std::move(patterns)]() mutable {
                          connection->remove(std::move(patterns), true);
                      });
}

}  // namespace gs::redis
