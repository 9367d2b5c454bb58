#include "redis/asio_adapter.h"

#include <utility>

#include <boost/asio/post.hpp>

namespace gs::redis::detail {

namespace asio = boost::asio;

bool AsioAdapter::attach(redisAsyncContext* context, const Strand& strand, FreedHandler on_freed) {
    auto adapter = std::make_shared<AsioAdapter>(context, strand, std::move(on_freed));
    boost::system::error_code error;
    adapter->descriptor_.assign(context->c.fd, error);
    if (error) {
        return false;
    }
    adapter->self_ = adapter;
    context->ev.data = adapter.get();
    context->ev.addRead = &AsioAdapter::add_read;
    context->ev.delRead = &AsioAdapter::del_read;
    context->ev.addWrite = &AsioAdapter::add_write;
    context->ev.delWrite = &AsioAdapter::del_write;
    context->ev.cleanup = &AsioAdapter::cleanup;
    return true;
}

AsioAdapter::AsioAdapter(redisAsyncContext* context, const Strand& strand, FreedHandler on_freed)
    : context_(context), strand_(strand), descriptor_(strand), on_freed_(std::move(on_freed)) {}

void AsioAdapter::add_read(void* data) noexcept {
    auto* self = static_cast<AsioAdapter*>(data);
    self->reading_ = true;
    // Inside on_readable the loop re-arms after hiredis returns.
    if (!self->read_armed_ && !self->in_read_) {
        self->arm_read();
    }
}

void AsioAdapter::del_read(void* data) noexcept {
    // A wait still pending completes and is ignored.
    static_cast<AsioAdapter*>(data)->reading_ = false;
}

void AsioAdapter::add_write(void* data) noexcept {
    auto* self = static_cast<AsioAdapter*>(data);
    self->writing_ = true;
    if (self->in_write_ || self->write_armed_ || self->flush_posted_) {
        return;
    }
    if ((self->context_->c.flags & REDIS_CONNECTED) != 0) {
        self->flush_posted_ = true;
        asio::post(self->strand_, [self = self->shared_from_this()] { self->flush(); });
    } else {
        // Connect in progress: writability reports its outcome.
        self->arm_write();
    }
}

void AsioAdapter::del_write(void* data) noexcept {
    static_cast<AsioAdapter*>(data)->writing_ = false;
}

void AsioAdapter::cleanup(void* data) noexcept {
    auto* self = static_cast<AsioAdapter*>(data);
    // Keeps this object alive to the end of the call; pending waits hold their own references.
    auto keep = std::move(self->self_);
    auto* context = std::exchange(self->context_, nullptr);
    context->ev.data = nullptr;
    // hiredis owns the fd and closes it right after this hook: deregister, never close.
    // Pending waits complete with operation_aborted.
    self->descriptor_.release();
    if (self->on_freed_) {
        self->on_freed_(context);
    }
}

void AsioAdapter::arm_read() {
    read_armed_ = true;
    descriptor_.async_wait(asio::posix::stream_descriptor::wait_read,
                           [self = shared_from_this()](const boost::system::error_code& error) {
                               self->on_readable(error);
                           });
}

void AsioAdapter::arm_write() {
    write_armed_ = true;
    descriptor_.async_wait(asio::posix::stream_descriptor::wait_write,
                           [self = shared_from_this()](const boost::system::error_code& error) {
                               self->on_writable(error);
                           });
}

void AsioAdapter::on_readable(const boost::system::error_code& error) {
    read_armed_ = false;
    if (error || context_ == nullptr || !reading_) {
        return;
    }
    in_read_ = true;
    // May free the context; cleanup then clears context_.
    redisAsyncHandleRead(context_);
    in_read_ = false;
    if (context_ != nullptr && reading_ && !read_armed_) {
        arm_read();
    }
}

void AsioAdapter::on_writable(const boost::system::error_code& error) {
    write_armed_ = false;
    if (error) {
        return;
    }
    handle_write();
}

void AsioAdapter::flush() {
    flush_posted_ = false;
    handle_write();
}

void AsioAdapter::handle_write() {
    if (context_ == nullptr || !writing_) {
        return;
    }
    in_write_ = true;
    // Calls delWrite when the buffer is empty, addWrite when the socket took only part of it,
    // and may free the context.
    redisAsyncHandleWrite(context_);
    in_write_ = false;
    if (context_ != nullptr && writing_ && !write_armed_) {
        arm_write();
    }
}

}  // namespace gs::redis::detail
