#pragma once

#include <string>

#include "goldensignals/http/router.h"

namespace gs::http {

// GET / (index.html), GET /static/{name} (the folder's own files), GET
// /static/vendor/{package}/{name} (vendored third-party files), GET /openapi.json (the API
// description, cacheable) and GET /docs (docs.html: the description rendered by Redoc). The
// folder and its sub-folders are read once at start into memory (a few small files and
// Redoc's bundle): no file system access per request, and no path can escape the folder. A
// missing folder only logs a warning.
void add_static_routes(Router& router, const std::string& dir);

}  // namespace gs::http
