#pragma once

#include <memory_resource>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/beast/http/fields.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/container/small_vector.hpp>

namespace gs::http {

// Allocates a request's header fields from a memory resource: the session's per-connection
// arena, reset between requests, so reading a head costs no heap allocation (issue 12). A
// default-constructed one (tests, handlers building requests) and every copy use the heap:
// a copy may outlive the arena. It moves with the fields (so the session moves a parsed
// head into its Request without copying it); nothing moves a request's fields out of the
// exchange that read them.
template <typename T>
class FieldsAllocator {
  public:
    using value_type = T;
    using propagate_on_container_move_assignment = std::true_type;
    using propagate_on_container_swap = std::true_type;

    FieldsAllocator() noexcept = default;
    explicit FieldsAllocator(std::pmr::memory_resource* resource) noexcept : resource_(resource) {}
    template <typename U>
    FieldsAllocator(const FieldsAllocator<U>& other) noexcept : resource_(other.resource()) {}

    T* allocate(std::size_t n) {
        return static_cast<T*>(resource()->allocate(n * sizeof(T), alignof(T)));
    }
    void deallocate(T* p, std::size_t n) noexcept {
        resource()->deallocate(p, n * sizeof(T), alignof(T));
    }
    FieldsAllocator select_on_container_copy_construction() const noexcept { return {}; }

    std::pmr::memory_resource* resource() const noexcept {
        return resource_ != nullptr ? resource_ : std::pmr::new_delete_resource();
    }
    template <typename U>
    bool operator==(const FieldsAllocator<U>& other) const noexcept {
        return resource() == other.resource();
    }

  private:
    std::pmr::memory_resource* resource_ = nullptr;
};

using RequestFields = boost::beast::http::basic_fields<FieldsAllocator<char>>;
using RawRequest = boost::beast::http::request<boost::beast::http::string_body, RequestFields>;

// Decoded `name=value` pairs, in the order they came. Room for a few inline: a route's path
// parameters and a short query cost no allocation of their own (issue 12, cached reads).
class Params {
  public:
    using Items = boost::container::small_vector<std::pair<std::string, std::string>, 2>;

    void add(std::string name, std::string value) {
        items_.emplace_back(std::move(name), std::move(value));
    }
    // The first value under `name`, if any.
    std::optional<std::string_view> get(std::string_view name) const {
        for (const auto& [key, value] : items_) {
            if (key == name) {
                return std::string_view(value);
            }
        }
        return std::nullopt;
    }
    const Items& items() const { return items_; }
    void clear() { items_.clear(); }

  private:
    Items items_;
};

// What a handler sees: the parsed message plus what the router and session worked out.
struct Request {
    RawRequest message;
    std::string path;  // percent-decoded, without the query
    Params query;
    Params path_params;
    std::string request_id;

    // A path parameter the route pattern guarantees to exist.
    std::string_view param(std::string_view name) const {
        auto value = path_params.get(name);
        return value ? *value : std::string_view{};
    }
};

// Percent-decodes `text`; `plus_is_space` for query strings. nullopt on a malformed escape.
std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space);
// The same into `out` (replaced); false on a malformed escape (`out` then holds a prefix).
bool percent_decode_to(std::string_view text, bool plus_is_space, std::string& out);

// Splits a request target into decoded path and query. nullopt when it cannot be decoded.
bool parse_target(std::string_view target, std::string& path, Params& query);

}  // namespace gs::http
