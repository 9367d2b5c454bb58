#include "redis/connection.h"

#include <algorithm>
#include <array>
#include <csignal>
#include <exception>
#include <mutex>
#include <random>
#include <stdexcept>
#include <utility>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "goldensignals/log/logger.h"

namespace gs::redis {

void validate(const ClientOptions& options) {
    using std::chrono::milliseconds;
    if (options.connect_timeout <= milliseconds::zero()) {
        throw std::invalid_argument("redis: connect_timeout must be positive");
    }
    if (options.command_timeout <= milliseconds::zero()) {
        throw std::invalid_argument("redis: command_timeout must be positive");
    }
    if (options.reconnect_min <= milliseconds::zero()) {
        throw std::invalid_argument("redis: reconnect_min must be positive");
    }
    if (options.demand_interval <= milliseconds::zero()) {
        throw std::invalid_argument("redis: demand_interval must be positive");
    }
    if (options.reconnect_max < options.reconnect_min) {
        throw std::invalid_argument("redis: reconnect_max must not be below reconnect_min");
    }
    if (options.url.host.empty()) {
        throw std::invalid_argument("redis: the URL has no host");
    }
    if (options.url.port == 0) {
        throw std::invalid_argument("redis: the URL has no port");
    }
    if (options.url.db < 0) {
        throw std::invalid_argument("redis: the database index must not be negative");
    }
    for (char c : options.name) {
        // CLIENT SETNAME refuses spaces, newlines and other non-printable bytes.
        if (c <= ' ' || c > '~') {
            throw std::invalid_argument("redis: name must be printable with no spaces");
        }
    }
}

namespace detail {
namespace {

namespace asio = boost::asio;

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);

// hiredis writes with write(2): a peer that closed would raise SIGPIPE and kill the process.
void ignore_sigpipe_once() {
    static std::once_flag once;
    std::call_once(once, [] {
        struct sigaction current {};
        if (::sigaction(SIGPIPE, nullptr, &current) == 0 && current.sa_handler == SIG_DFL) {
            std::signal(SIGPIPE, SIG_IGN);
        }
    });
}

// Spreads reconnects of many clients over [0.8, 1] of the delay.
std::chrono::milliseconds jittered(std::chrono::milliseconds delay) {
    thread_local std::minstd_rand random{std::random_device{}()};
    std::uniform_int_distribution<std::chrono::milliseconds::rep> percent(80, 100);
    return std::max(std::chrono::milliseconds(1), delay * percent(random) / 100);
}

std::string make_label(std::string_view role, const ClientOptions& options) {
    std::string label(role);
    if (!options.name.empty()) {
        label += " '" + options.name + "'";
    }
    label += " " + options.url.host + ":" + std::to_string(options.url.port) + "/" +
             std::to_string(options.url.db);
    return label;
}

}  // namespace

std::shared_ptr<spdlog::logger> logger() {
    static const auto instance = log::named_logger("redis");
    return instance;
}

std::vector<std::vector<std::string>> handshake_commands(const ClientOptions& options) {
    std::vector<std::vector<std::string>> commands;
    if (!options.url.password.empty()) {
        commands.push_back({"AUTH", options.url.password});
    }
    if (options.url.db != 0) {
        commands.push_back({"SELECT", std::to_string(options.url.db)});
    }
    if (!options.name.empty()) {
        commands.push_back({"CLIENT", "SETNAME", options.name});
    }
    // Proves the server answers (not LOADING) before the connection counts as up.
    commands.push_back({"PING"});
    return commands;
}

std::chrono::milliseconds backoff_delay(const ClientOptions& options, unsigned attempt) {
    auto delay = options.reconnect_min;
    for (unsigned i = 0; i < attempt && delay < options.reconnect_max; ++i) {
        delay *= 2;
    }
    return std::min(delay, options.reconnect_max);
}

int send_command(redisAsyncContext* context, redisCallbackFn* callback, void* data,
                 const std::vector<std::string>& args) {
    // Most commands have few arguments: keep the pointer arrays on the stack.
    constexpr std::size_t kInline = 8;
    std::array<const char*, kInline> inline_argv;
    std::array<std::size_t, kInline> inline_lengths;
    std::vector<const char*> heap_argv;
    std::vector<std::size_t> heap_lengths;
    const char** argv = inline_argv.data();
    std::size_t* lengths = inline_lengths.data();
    if (args.size() > kInline) {
        heap_argv.resize(args.size());
        heap_lengths.resize(args.size());
        argv = heap_argv.data();
        lengths = heap_lengths.data();
    }
    for (std::size_t i = 0; i < args.size(); ++i) {
        argv[i] = args[i].data();
        lengths[i] = args[i].size();
    }
    return redisAsyncCommandArgv(context, callback, data, static_cast<int>(args.size()), argv,
                                 lengths);
}

Connection::Connection(asio::any_io_executor executor, ClientOptions options, std::string_view role)
    : strand_(asio::make_strand(std::move(executor))),
      options_(std::move(options)),
      label_(make_label(role, options_)),
      timer_(strand_),
      resolver_(strand_) {
    ignore_sigpipe_once();
}

Connection::~Connection() {
    // Only reached once the loop is over (it holds a reference), so normally a no-op.
    close_context();
}

void Connection::start() {
    if (started_.exchange(true)) {
        return;
    }
    asio::co_spawn(strand_, run(shared_from_this()), [label = label_](std::exception_ptr error) {
        if (!error) {
            return;
        }
        try {
            std::rethrow_exception(error);
        } catch (const std::exception& e) {
            logger()->error("{}: connection loop failed: {}", label, e.what());
        } catch (...) {
            logger()->error("{}: connection loop failed", label);
        }
    });
}

void Connection::stop() {
    if (stop_requested_.exchange(true)) {
        return;
    }
    asio::post(strand_, [self = shared_from_this()] {
        self->stopping_ = true;
        self->resolver_.cancel();
        self->wake();
        // Never started: nothing else will release the connection.
        if (!self->started_.load()) {
            self->close_context();
        }
    });
}

void Connection::request_reconnect() {
    if (connected() || stop_requested() || !started_.load()) {
        return;
    }
    asio::dispatch(strand_, [self = shared_from_this()] {
        if (!self->backing_off_ || self->stopping_) {
            return;  // connecting already, or stopping
        }
        // Rate-limited: a storm of commands against a dead server costs one attempt per
        // demand_interval, never one per command.
        const auto earliest = std::max(std::chrono::steady_clock::now(),
                                       self->last_attempt_ + self->options_.demand_interval);
        if (earliest < self->retry_at_) {
            self->retry_at_ = earliest;
            self->wake();
        }
    });
}

ErrorKind Connection::failure_kind(const redisAsyncContext* context) noexcept {
    const auto* self = static_cast<const Connection*>(context->data);
    if (self != nullptr && (self->stopping_ || self->stop_requested())) {
        return ErrorKind::kClosed;
    }
    return context->err == REDIS_ERR_PROTOCOL ? ErrorKind::kProtocol : ErrorKind::kDisconnected;
}

bool Connection::on_handshake_done(redisAsyncContext* /*context*/) {
    return true;
}

void Connection::mark_ready() {
    if (phase_ != Phase::kHandshaken) {
        return;
    }
    phase_ = Phase::kReady;
    up_.store(true, std::memory_order_release);
    wake();
}

void Connection::fail(std::string reason) {
    if (phase_ == Phase::kIdle || phase_ == Phase::kFailed) {
        return;
    }
    last_error_ = std::move(reason);
    phase_ = Phase::kFailed;
    up_.store(false, std::memory_order_release);
    wake();
}

asio::awaitable<void> Connection::run(std::shared_ptr<Connection> self) {
    auto log = logger();
    unsigned attempt = 0;
    bool quiet = false;
    while (!self->stopping_) {
        bool was_ready = false;
        std::string address = co_await self->resolve();
        if (!address.empty() && !self->stopping_ && self->open(address)) {
            const auto deadline = std::chrono::steady_clock::now() + self->options_.connect_timeout;
            self->timer_.expires_at(deadline);
            while (!self->stopping_ && self->connecting() &&
                   std::chrono::steady_clock::now() < deadline) {
                co_await self->timer_.async_wait(kUseTuple);
            }
            if (!self->stopping_ && self->phase_ == Phase::kReady) {
                was_ready = true;
                attempt = 0;
                quiet = false;
                log->info("{}: connected", self->label_);
                self->notify(true);
                while (!self->stopping_ && self->phase_ == Phase::kReady) {
                    self->timer_.expires_at(std::chrono::steady_clock::time_point::max());
                    co_await self->timer_.async_wait(kUseTuple);
                }
            } else if (self->connecting()) {
                self->last_error_ = "connect timed out after " +
                                    std::to_string(self->options_.connect_timeout.count()) + " ms";
            }
            self->close_context();
        }
        if (self->stopping_) {
            break;
        }
        if (was_ready) {
            log->warn("{}: connection lost: {}", self->label_, self->last_error_);
            self->on_connection_lost();
            self->notify(false);
            // The failed attempts that follow a drop belong to the same outage.
            quiet = true;
        } else if (!quiet) {
            log->warn("{}: cannot connect: {}; retrying with back-off", self->label_,
                      self->last_error_);
            quiet = true;
        } else {
            log->debug("{}: cannot connect: {}", self->label_, self->last_error_);
        }
        // request_reconnect() may move retry_at_ earlier and wake the timer.
        self->last_attempt_ = std::chrono::steady_clock::now();
        self->retry_at_ = self->last_attempt_ + jittered(backoff_delay(self->options_, attempt));
        attempt = std::min(attempt + 1, 30u);
        self->backing_off_ = true;
        while (!self->stopping_ && std::chrono::steady_clock::now() < self->retry_at_) {
            self->timer_.expires_at(self->retry_at_);
            co_await self->timer_.async_wait(kUseTuple);
        }
        self->backing_off_ = false;
    }
    self->close_context();
    self->up_.store(false, std::memory_order_release);
    log->info("{}: stopped", self->label_);
}

asio::awaitable<std::string> Connection::resolve() {
    boost::system::error_code error;
    auto numeric = asio::ip::make_address(options_.url.host, error);
    if (!error) {
        co_return numeric.to_string();
    }
    // hiredis would resolve with a blocking getaddrinfo() on the strand's thread.
    auto [resolve_error, results] = co_await resolver_.async_resolve(
        options_.url.host, std::to_string(options_.url.port), kUseTuple);
    if (resolve_error || results.empty()) {
        last_error_ = "cannot resolve " + options_.url.host + ": " + resolve_error.message();
        co_return std::string();
    }
    co_return results.begin()->endpoint().address().to_string();
}

bool Connection::open(const std::string& address) {
    last_error_.clear();
    AsyncContextPtr context(redisAsyncConnect(address.c_str(), options_.url.port));
    if (context == nullptr) {
        last_error_ = "cannot allocate a hiredis context";
        return false;
    }
    if (context->err != 0) {
        // Refused at once (common on loopback); nothing attached yet, RAII frees it.
        last_error_ = context->errstr;
        return false;
    }
    context->data = this;
    if (!AsioAdapter::attach(context.get(), strand_,
                             [this](redisAsyncContext* freed) { context_freed(freed); })) {
        last_error_ = "cannot register the socket with the reactor";
        return false;
    }
    context_ = std::move(context);
    handshake_pending_ = 0;
    phase_ = Phase::kConnecting;
    // Also starts waiting for writability, which reports the connect's outcome.
    redisAsyncSetConnectCallback(context_.get(), &Connection::handle_connect);
    return true;
}

void Connection::close_context() {
    if (context_ != nullptr) {
        // Runs every pending callback with a null reply, then the adapter's cleanup, which
        // calls context_freed.
        redisAsyncFree(context_.get());
    }
}

void Connection::context_freed(redisAsyncContext* context) {
    (void)context_.release();
    if (phase_ != Phase::kFailed) {
        last_error_ = context->err != 0 ? std::string(context->errstr) : "connection closed";
    }
    phase_ = Phase::kIdle;
    up_.store(false, std::memory_order_release);
    wake();
}

void Connection::notify(bool up) {
    if (stop_requested() || !state_handler_) {
        return;
    }
    try {
        state_handler_(up);
    } catch (const std::exception& e) {
        logger()->error("{}: state-change handler threw: {}", label_, e.what());
    } catch (...) {
        logger()->error("{}: state-change handler threw", label_);
    }
}

void Connection::wake() {
    timer_.cancel();
}

void Connection::handle_connect(const redisAsyncContext* context, int status) {
    auto* self = static_cast<Connection*>(context->data);
    if (status != REDIS_OK) {
        // hiredis frees the context right after this call; context_freed follows.
        return;
    }
    auto* mutable_context = const_cast<redisAsyncContext*>(context);
    self->phase_ = Phase::kHandshaking;
    try {
        for (const auto& command : handshake_commands(self->options_)) {
            if (send_command(mutable_context, &Connection::handle_handshake_reply, self, command) !=
                REDIS_OK) {
                self->fail("cannot queue the handshake");
                return;
            }
            ++self->handshake_pending_;
        }
    } catch (const std::exception& e) {
        self->fail(std::string("handshake: ") + e.what());
    }
}

void Connection::handle_handshake_reply(redisAsyncContext* context, void* reply, void* data) {
    auto* self = static_cast<Connection*>(data);
    const auto* answer = static_cast<const redisReply*>(reply);
    if (answer == nullptr || self->phase_ != Phase::kHandshaking) {
        return;
    }
    try {
        if (answer->type == REDIS_REPLY_ERROR) {
            // The server's message (never the password) says which step it refused.
            self->fail("handshake refused: " + std::string(answer->str, answer->len));
            return;
        }
        if (--self->handshake_pending_ == 0) {
            self->phase_ = Phase::kHandshaken;
            if (self->on_handshake_done(context)) {
                self->mark_ready();
            }
        }
    } catch (const std::exception& e) {
        self->fail(std::string("handshake: ") + e.what());
    }
}

}  // namespace detail
}  // namespace gs::redis
