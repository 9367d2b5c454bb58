#include "goldensignals/redis/client.h"

#include <strings.h>
#include <cstddef>
#include <exception>
#include <span>
#include <utility>

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/recycling_allocator.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "redis/connection.h"
#include "redis/reply_conversion.h"

namespace gs::redis {
namespace {

namespace asio = boost::asio;
using detail::Connection;

// One command or pipeline in flight, on the connection's strand. Completes exactly once: with
// the replies, a timeout, or a connection failure; whichever comes first wins and the rest
// are ignored. hiredis calls back once per queued command, also after a timeout (the late
// reply) and on disconnect (a null reply), so the operation holds a reference to itself until
// its last callback has run; the timer's handler holds another.
class PendingOp : public std::enable_shared_from_this<PendingOp> {
  public:
    PendingOp(const detail::Strand& strand, bool batch) : timer_(strand), batch_(batch) {}
    virtual ~PendingOp() = default;
    PendingOp(const PendingOp&) = delete;
    PendingOp& operator=(const PendingOp&) = delete;

    void submit(Connection& connection, std::span<const std::vector<std::string>> commands) {
        redisAsyncContext* context = connection.ready_context();
        if (context == nullptr) {
            connection.request_reconnect();
            finish(std::make_exception_ptr(Error(connection.unavailable_kind(), "not connected")));
            return;
        }
        expected_ = commands.size();
        if (batch_) {
            replies_.reserve(expected_);
        }
        for (const auto& args : commands) {
            if (detail::send_command(context, &PendingOp::on_reply, this, args) != REDIS_OK) {
                break;
            }
            ++outstanding_;
        }
        if (outstanding_ > 0) {
            hiredis_ref_ = shared_from_this();
        }
        if (outstanding_ < expected_) {
            finish(std::make_exception_ptr(
                Error(ErrorKind::kProtocol, "hiredis refused to queue the command")));
            return;
        }
        timer_.expires_after(connection.options().command_timeout);
        timer_.async_wait([self = shared_from_this()](const boost::system::error_code& error) {
            if (!error && !self->done_) {
                self->finish(
                    std::make_exception_ptr(Error(ErrorKind::kTimeout, "no reply in time")));
            }
        });
    }

  protected:
    virtual void deliver(std::exception_ptr error, Reply reply, std::vector<Reply> replies) = 0;

  private:
    static void on_reply(redisAsyncContext* context, void* reply, void* data) {
        auto* op = static_cast<PendingOp*>(data);
        const auto* answer = static_cast<const redisReply*>(reply);
        try {
            if (!op->done_) {
                if (answer == nullptr) {
                    op->finish(std::make_exception_ptr(
                        Error(Connection::failure_kind(context), "connection lost in flight")));
                } else if (op->batch_) {
                    op->replies_.push_back(detail::to_reply(*answer));
                    if (op->replies_.size() == op->expected_) {
                        op->finish(nullptr);
                    }
                } else {
                    op->reply_ = detail::to_reply(*answer);
                    op->finish(nullptr);
                }
            }
        } catch (...) {
            if (!op->done_) {
                op->finish(std::current_exception());
            }
        }
        if (--op->outstanding_ == 0) {
            // May destroy the operation.
            auto last = std::move(op->hiredis_ref_);
        }
    }

    void finish(std::exception_ptr error) {
        done_ = true;
        timer_.cancel();
        deliver(std::move(error), std::move(reply_), std::move(replies_));
    }

    asio::steady_timer timer_;
    std::shared_ptr<PendingOp> hiredis_ref_;
    std::size_t expected_ = 0;
    std::size_t outstanding_ = 0;
    const bool batch_;
    bool done_ = false;
    Reply reply_;
    std::vector<Reply> replies_;
};

// Binds a PendingOp to the caller's completion handler: resumes it on its own executor,
// which is kept busy (outstanding work) until then.
template <typename Handler, bool Batch>
class HandlerOp final : public PendingOp {
  public:
    HandlerOp(const detail::Strand& strand, Handler handler)
        : PendingOp(strand, Batch),
          handler_(std::move(handler)),
          work_(asio::prefer(asio::get_associated_executor(handler_, strand),
                             asio::execution::outstanding_work.tracked)) {}

  private:
    void deliver(std::exception_ptr error, Reply reply, std::vector<Reply> replies) override {
        auto executor = std::move(work_);
        if constexpr (Batch) {
            asio::post(executor, [handler = std::move(handler_), error = std::move(error),
                                  replies = std::move(replies)]() mutable {
                std::move(handler)(std::move(error), std::move(replies));
            });
        } else {
            asio::post(executor, [handler = std::move(handler_), error = std::move(error),
                                  reply = std::move(reply)]() mutable {
                std::move(handler)(std::move(error), std::move(reply));
            });
        }
    }

    Handler handler_;
    asio::any_io_executor work_;
};

template <bool Batch>
struct Initiation {
    std::shared_ptr<Connection> connection;

    template <typename Handler>
    void operator()(Handler&& handler, std::vector<std::vector<std::string>> batch,
                    std::vector<std::string> single) const {
        using Op = HandlerOp<std::decay_t<Handler>, Batch>;
        auto op = std::allocate_shared<Op>(asio::recycling_allocator<Op>(), connection->strand(),
                                           std::forward<Handler>(handler));
        // Inline when already on the strand. While down, submit fails the command at once.
        asio::dispatch(connection->strand(),
                       [connection = connection, op = std::move(op), batch = std::move(batch),
                        single = std::move(single)]() mutable {
                           if constexpr (Batch) {
                               op->submit(*connection, batch);
                           } else {
                               op->submit(*connection, std::span(&single, 1));
                           }
                       });
    }
};

bool equals_ignoring_case(const std::string& a, const char* b) {
    return ::strcasecmp(a.c_str(), b) == 0;
}

// Commands that would turn the connection into a pub/sub or monitor stream.
void check_command(const std::vector<std::string>& args) {
    if (args.empty()) {
        throw Error(ErrorKind::kProtocol, "empty command");
    }
    const auto& name = args.front();
    for (const char* streaming :
         {"SUBSCRIBE", "PSUBSCRIBE", "UNSUBSCRIBE", "PUNSUBSCRIBE", "MONITOR"}) {
        if (equals_ignoring_case(name, streaming)) {
            throw Error(ErrorKind::kProtocol, name + " needs a Subscriber, not a Client");
        }
    }
}

}  // namespace

std::shared_ptr<Client> Client::create(asio::any_io_executor executor, ClientOptions options) {
    validate(options);
    auto connection =
        std::make_shared<Connection>(std::move(executor), std::move(options), "client");
    return std::shared_ptr<Client>(new Client(std::move(connection)));
}

Client::Client(std::shared_ptr<detail::Connection> connection)
    : connection_(std::move(connection)) {}

Client::~Client() {
    connection_->stop();
}

void Client::start() {
    connection_->start();
}

void Client::stop() {
    connection_->stop();
}

bool Client::connected() const noexcept {
    return connection_->connected();
}

void Client::request_reconnect() {
    connection_->request_reconnect();
}

void Client::on_state_change(std::function<void(bool up)> handler) {
    connection_->on_state_change(std::move(handler));
}

asio::awaitable<Reply> Client::command(std::vector<std::string> args) {
    check_command(args);
    // Keeps the client alive while the caller waits. Named locals, not temporaries, inside the
    // co_await: g++ 12 (docs/coroutines.md).
    auto self = shared_from_this();
    Initiation<false> initiation{connection_};
    std::vector<std::vector<std::string>> no_batch;
    auto reply = co_await asio::async_initiate<const asio::use_awaitable_t<>&,
                                               void(std::exception_ptr, Reply)>(
        std::move(initiation), asio::use_awaitable, std::move(no_batch), std::move(args));
    co_return reply;
}

asio::awaitable<std::vector<Reply>> Client::pipeline(
    std::vector<std::vector<std::string>> commands) {
    if (commands.empty()) {
        co_return std::vector<Reply>{};
    }
    for (const auto& args : commands) {
        check_command(args);
    }
    auto self = shared_from_this();
    Initiation<true> initiation{connection_};
    std::vector<std::string> no_single;
    auto replies = co_await asio::async_initiate<const asio::use_awaitable_t<>&,
                                                 void(std::exception_ptr, std::vector<Reply>)>(
        std::move(initiation), asio::use_awaitable, std::move(commands), std::move(no_single));
    co_return replies;
}

}  // namespace gs::redis
