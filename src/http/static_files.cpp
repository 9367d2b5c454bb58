#include "goldensignals/http/static_files.h"

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <spdlog/spdlog.h>

#include "goldensignals/http/client_error.h"

namespace gs::http {

using boost::beast::http::status;
using boost::beast::http::verb;

namespace {

constexpr std::size_t kMaxStaticFile = 4 * 1024 * 1024;

std::string content_type_of(const std::filesystem::path& path) {
    static const std::map<std::string, std::string> kTypes = {
        {".html", "text/html; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".ico", "image/x-icon"},
        {".json", "application/json"},
        {".txt", "text/plain; charset=utf-8"}};
    auto it = kTypes.find(path.extension().string());
    return it == kTypes.end() ? std::string() : it->second;
}

struct StaticFile {
    std::string content_type;
    std::shared_ptr<const std::string> body;
};

}  // namespace

void add_static_routes(Router& router, const std::string& dir) {
    namespace fs = std::filesystem;
    auto files = std::make_shared<std::map<std::string, StaticFile, std::less<>>>();
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) {
        spdlog::warn(
            "dashboard folder '{}' not found: GET /, /docs and /openapi.json are not served", dir);
        return;
    }
    // Sub-folders too (vendor/<package>/), keyed by their path relative to `dir`.
    for (const auto& entry : fs::recursive_directory_iterator(dir)) {
        if (!entry.is_regular_file() || entry.file_size() > kMaxStaticFile) {
            continue;
        }
        auto type = content_type_of(entry.path());
        if (type.empty()) {
            continue;
        }
        std::ifstream in(entry.path(), std::ios::binary);
        std::stringstream text;
        text << in.rdbuf();
        (*files)[entry.path().lexically_relative(dir).generic_string()] =
            StaticFile{type, std::make_shared<const std::string>(text.str())};
    }
    auto serve = [files](std::string_view name, std::string_view cache_control = "no-cache") {
        auto it = files->find(name);
        if (it == files->end()) {
            throw ClientError(status::not_found, "not_found", "no such file");
        }
        Response r;
        r.content_type = it->second.content_type;
        r.body = it->second.body;
        r.header("Cache-Control", std::string(cache_control));
        return r;
    };
    router.add(verb::get, "/", sync_handler([serve](Request&) { return serve("index.html"); }));
    // One segment: only the folder's own files, never a sub-folder's.
    router.add(verb::get, "/static/{name}",
               sync_handler([serve](Request& request) { return serve(request.param("name")); }));
    // Third-party files kept as released, with their licences (web/vendor/README.md).
    router.add(verb::get, "/static/vendor/{package}/{name}",
               sync_handler([serve](Request& request) {
                   std::string path = "vendor/";
                   path += request.param("package");
                   path += '/';
                   path += request.param("name");
                   return serve(path);
               }));
    // The API description (docs/openapi.md): it changes only with a deploy, so clients and
    // proxies may keep it a few minutes. /docs renders it with the vendored Redoc.
    router.add(verb::get, "/openapi.json", sync_handler([serve](Request&) {
                   return serve("openapi.json", "public, max-age=300");
               }));
    router.add(verb::get, "/docs", sync_handler([serve](Request&) { return serve("docs.html"); }));
    spdlog::info("dashboard: {} file(s) from {}", files->size(), dir);
}

}  // namespace gs::http
