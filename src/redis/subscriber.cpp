#include "goldensignals/redis/subscriber.h"

#include <atomic>
#include <cstring>
#include <exception>
#include <set>
#include <utility>

#include <boost/asio/post.hpp>

#include "redis/connection.h"

namespace gs::redis {
namespace detail {

namespace asio = boost::asio;

// The pub/sub connection: the set of channels and patterns is the truth; on every (re)connect
// the whole set is subscribed again, and the connection counts as up once Redis confirmed it.
class SubscriberConnection final : public Connection {
  public:
    SubscriberConnection(asio::any_io_executor executor, ClientOptions options)
        : Connection(std::move(executor), std::move(options), "subscriber") {}

    void set_message_handler(Subscriber::MessageHandler handler) { handler_ = std::move(handler); }
    void set_array_handler(Subscriber::ArrayMessageHandler handler) {
        array_handler_ = std::move(handler);
    }
    std::int64_t client_id() const noexcept { return client_id_.load(std::memory_order_acquire); }

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
        // Before any SUBSCRIBE: a subscribed RESP2 connection takes no other command. hiredis
        // answers regular callbacks before it looks for subscription callbacks.
        if (send_command(context, &SubscriberConnection::on_client_id, this, {"CLIENT", "ID"}) !=
            REDIS_OK) {
            fail("cannot queue CLIENT ID");
            return false;
        }
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
        client_id_.store(0, std::memory_order_release);
    }

  private:
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

    static void on_client_id(redisAsyncContext* /*context*/, void* reply, void* data) {
        auto* self = static_cast<SubscriberConnection*>(data);
        const auto* answer = static_cast<const redisReply*>(reply);
        if (answer != nullptr && answer->type == REDIS_REPLY_INTEGER) {
            self->client_id_.store(answer->integer, std::memory_order_release);
        }
    }

    static std::string_view view(const redisReply* item) {
        return item->type == REDIS_REPLY_STRING ? std::string_view(item->str, item->len)
                                                : std::string_view();
    }

    void handle(const redisReply& reply) {
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

void Subscriber::punsubscribe(std::vector<std::string> patterns) {
    boost::asio::post(connection_->strand(),
                      [connection = connection_, patterns = std::move(patterns)]() mutable {
                          connection->remove(std::move(patterns), true);
                      });
}

}  // namespace gs::redis
