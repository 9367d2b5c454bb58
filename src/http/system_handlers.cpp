#include "goldensignals/http/system_handlers.h"

#include <nlohmann/json.hpp>

#include "goldensignals/build_info.h"

namespace gs::http {

using boost::beast::http::status;
using boost::beast::http::verb;

void add_system_routes(Router& router, const health::Readiness& readiness,
                       const metrics::Registry& registry) {
    // Liveness says nothing of dependencies: a restart would not fix a down database.
    static const auto kHealthy = std::make_shared<const std::string>(R"({"status":"ok"})");
    router.add(verb::get, "/healthz",
               sync_handler([](Request&) { return Response::json_body(status::ok, kHealthy); }));

    router.add(verb::get, "/readyz", sync_handler([&readiness](Request&) {
                   nlohmann::json dependencies = nlohmann::json::object();
                   for (const auto& [name, state] : readiness.snapshot()) {
                       dependencies[name] = health::to_string(state);
                   }
                   const bool ready = readiness.ready();
                   nlohmann::json body = {{"status", ready ? "ready" : "not_ready"},
                                          {"dependencies", dependencies}};
                   return Response::json(ready ? status::ok : status::service_unavailable, body);
               }));

    router.add(verb::get, "/metrics", sync_handler([&registry](Request&) {
                   return Response::text(status::ok, registry.render(),
                                         "text/plain; version=0.0.4; charset=utf-8");
               }));

    router.add(verb::get, "/v1/version", sync_handler([](Request&) {
                   static const auto body = std::make_shared<const std::string>(nlohmann::json{
                       {"name", "goldensignals"},
                       {"version", build_info::kVersion},
                       {"commit", build_info::kGitCommit},
                       {"build_type", build_info::kBuildType},
                       {"compiler", build_info::kCompiler},
                       {"malloc", build_info::kMalloc}}.dump());
                   return Response::json_body(status::ok, body);
               }));
}

}  // namespace gs::http
