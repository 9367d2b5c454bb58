#include <nlohmann/json.hpp>

#include "goldensignals/http/api_routes.h"
#include "goldensignals/http/params.h"
#include "goldensignals/store/compact_history.h"
#include "goldensignals/store/error.h"

namespace gs::http {

namespace asio = boost::asio;
using boost::beast::http::status;
using boost::beast::http::verb;

void add_history_route(Router& router, store::PgSignalStore* history) {
    router.add(verb::get, "/v1/signals/{symbol}/history",
               [history](Request& request) -> asio::awaitable<Response> {
                   store::HistoryQuery query;
                   query.symbol = params::symbol(request.param("symbol"));
                   query.timeframe = params::timeframe(request);
                   query.limit =
                       params::bounded_integer(request, "limit", 100, 1, store::kMaxHistoryLimit);
                   query.from = params::epoch_seconds(request, "from");
                   query.to = params::epoch_seconds(request, "to");
                   if (auto cursor = request.query.get("cursor"); cursor && !cursor->empty()) {
                       if (!store::decode_history_cursor(*cursor)) {
                           throw ClientError(status::bad_request, "invalid_cursor",
                                             "cursor is not one this service issued");
                       }
                       query.cursor = std::string(*cursor);
                   }
                   if (history == nullptr) {
                       throw ClientError(status::service_unavailable, "history_unavailable",
                                         "signal history needs PostgreSQL (GS_DATABASE_URL)");
                   }
                   const std::string symbol = query.symbol;
                   const auto timeframe = query.timeframe;
                   store::HistoryPage page;
                   try {
                       page = co_await history->history(std::move(query));
                   } catch (const store::Error& e) {
                       if (e.kind() == store::ErrorKind::kBadData) {
                           throw ClientError(status::bad_request, "invalid_parameter", e.what());
                       }
                       throw ClientError(status::service_unavailable, "storage_unavailable",
                                         "PostgreSQL is unavailable; retry later");
                   }
                   std::string body = R"({"symbol":)";
                   body += nlohmann::json(symbol).dump();
                   body += R"(,"timeframe":")";
                   body += market::to_string(timeframe);
                   // The rows' shape is versioned (docs/http.md): format 2 rebuilds each
                   // row from the compact history, agents without reasons or indicators.
                   body += R"(","history_format":)";
                   body += std::to_string(store::kHistoryFormat);
                   body += R"(,"signals":[)";
                   for (std::size_t i = 0; i < page.rows.size(); ++i) {
                       if (i != 0) {
                           body += ',';
                       }
                       // Rows are JSON the store rebuilt (store::history_json).
                       body += page.rows[i].body;
                   }
                   body += R"(],"next_cursor":)";
                   body += page.next_cursor ? nlohmann::json(*page.next_cursor).dump() : "null";
                   body += '}';
                   co_return Response::json_body(
                       status::ok, std::make_shared<const std::string>(std::move(body)));
               });
}

}  // namespace gs::http
