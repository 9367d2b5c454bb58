#pragma once

#include <functional>
#include <memory>

#include <hiredis/async.h>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/strand.hpp>
#include <boost/system/error_code.hpp>

namespace gs::redis::detail {

using Strand = boost::asio::strand<boost::asio::any_io_executor>;

// Drives one redisAsyncContext from Asio (hiredis 0.14 ships no Asio adapter). Every hook and
// every completion runs on the context's strand. The adapter keeps itself alive until hiredis
// calls cleanup (when it frees the context); completions that arrive later see no context and
// do nothing.
//
// Writes: once connected, addWrite does not wait for the socket to become writable (it
// almost always is) but posts one flush to the strand, so every command issued in the same
// strand turn goes out in one write(). Only a partial write, or the connect itself, waits
// for writability.
class AsioAdapter final : public std::enable_shared_from_this<AsioAdapter> {
  public:
    // Called from inside hiredis, on the strand, while it frees the context (before the fd is
    // closed). It must not call back into hiredis.
    using FreedHandler = std::function<void(redisAsyncContext* context)>;

    // Hooks `context` (fresh from redisAsyncConnect, nothing attached) to the strand. Returns
    // false, leaving the context untouched, when the fd cannot be registered with the reactor.
    static bool attach(redisAsyncContext* context, const Strand& strand, FreedHandler on_freed);

    AsioAdapter(redisAsyncContext* context, const Strand& strand, FreedHandler on_freed);

  private:
    static void add_read(void* data) noexcept;
    static void del_read(void* data) noexcept;
    static void add_write(void* data) noexcept;
    static void del_write(void* data) noexcept;
    static void cleanup(void* data) noexcept;

    void arm_read();
    void arm_write();
    void on_readable(const boost::system::error_code& error);
    void on_writable(const boost::system::error_code& error);
    void flush();
    void handle_write();

    redisAsyncContext* context_;
    Strand strand_;
    boost::asio::posix::stream_descriptor descriptor_;
    FreedHandler on_freed_;
    // Owned by hiredis between attach() and cleanup.
    std::shared_ptr<AsioAdapter> self_;
    bool reading_ = false;
    bool writing_ = false;
    bool read_armed_ = false;
    bool write_armed_ = false;
    bool flush_posted_ = false;
    bool in_read_ = false;
    bool in_write_ = false;
};

}  // namespace gs::redis::detail
