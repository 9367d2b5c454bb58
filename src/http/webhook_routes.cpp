// The alert webhooks' routes (docs/webhooks.md).
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "goldensignals/http/api_routes.h"
#include "goldensignals/http/params.h"
#include "goldensignals/market/excerpt.h"
#include "goldensignals/store/error.h"
#include "goldensignals/webhooks/registration.h"

namespace gs::http {

namespace asio = boost::asio;
using boost::beast::http::status;
using boost::beast::http::verb;

namespace {

// Bodies are small: a URL, a secret and up to 1,000 symbols.
constexpr std::size_t kWebhookBodyLimit = 64 * 1024;
constexpr std::size_t kMaxDeliveriesPage = 100;

[[noreturn]] void unknown_webhook(std::string_view id) {
    throw ClientError(status::not_found, "unknown_webhook",
                      fmt::format("no webhook '{}'", market::excerpt(id)));
}

// PostgreSQL down (the outbox's store): 503, as the other routes answer it.
[[noreturn]] void storage_unavailable(const store::Error& e) {
    throw ClientError(status::service_unavailable, "storage_unavailable", e.what());
}

const RouteOptions kWrite{.body_limit = kWebhookBodyLimit, .write = true};
const RouteOptions kWriteRead{.access = Access::kWrite};

}  // namespace

void add_webhook_routes(Router& router, webhooks::Service& service) {
    router.add(
        verb::post, "/v1/webhooks",
        [&service](Request& request) -> asio::awaitable<Response> {
            try {
                std::string body = request.message.body();
                webhooks::Webhook created;
                try {
                    created = co_await service.create(std::move(body));
                } catch (const webhooks::RegistrationError& e) {
                    const auto code =
                        e.code() == "too_many_webhooks" ? status::conflict : status::bad_request;
                    throw ClientError(code, e.code(), e.what());
                }
                auto response = Response::json(status::created, webhooks::to_json(created));
                // Named: g++ 12 misreports literal temporaries here (docs/coroutines.md).
                std::string location_name = "Location";
                response.header(std::move(location_name), "/v1/webhooks/" + created.id);
                co_return response;
            } catch (const store::Error& e) {
                storage_unavailable(e);
            }
        },
        kWrite);

    router.add(
        verb::get, "/v1/webhooks",
        [&service](Request&) -> asio::awaitable<Response> {
            try {
                const auto all = co_await service.list();
                nlohmann::json list = nlohmann::json::array();
                for (const auto& webhook : all) {
                    list.push_back(webhooks::to_json(webhook));
                }
                co_return Response::json(status::ok, {{"webhooks", std::move(list)}});
            } catch (const store::Error& e) {
                storage_unavailable(e);
            }
        },
        kWriteRead);

    router.add(
        verb::get, "/v1/webhooks/{id}",
        [&service](Request& request) -> asio::awaitable<Response> {
            try {
                std::string id(request.param("id"));
                const auto found = co_await service.get(std::move(id));
                if (!found) {
                    unknown_webhook(request.param("id"));
                }
                co_return Response::json(status::ok, webhooks::to_json(*found));
            } catch (const store::Error& e) {
                storage_unavailable(e);
            }
        },
        kWriteRead);

    router.add(
        verb::delete_, "/v1/webhooks/{id}",
        [&service](Request& request) -> asio::awaitable<Response> {
            try {
                std::string id(request.param("id"));
                if (!co_await service.remove(std::move(id))) {
                    unknown_webhook(request.param("id"));
                }
                Response response;
                response.status = status::no_content;
                response.content_type.clear();
                co_return response;
            } catch (const store::Error& e) {
                storage_unavailable(e);
            }
        },
        kWrite);

    router.add(
        verb::get, "/v1/webhooks/{id}/deliveries",
        [&service](Request& request) -> asio::awaitable<Response> {
            try {
                const std::size_t limit =
                    params::bounded_integer(request, "limit", 50, 1, kMaxDeliveriesPage);
                std::string id(request.param("id"));
                const auto found = co_await service.get(std::move(id));
                if (!found) {
                    unknown_webhook(request.param("id"));
                }
                std::string attempts_of = found->id;
                const auto attempts = co_await service.deliveries(std::move(attempts_of), limit);
                nlohmann::json list = nlohmann::json::array();
                for (const auto& attempt : attempts) {
                    list.push_back(webhooks::to_json(attempt));
                }
                co_return Response::json(status::ok, {{"deliveries", std::move(list)}});
            } catch (const store::Error& e) {
                storage_unavailable(e);
            }
        },
        kWriteRead);
}

}  // namespace gs::http
