#pragma once

#include <string>

#include "goldensignals/http/router.h"

namespace gs::http {

// GET / (index.html) and GET /static/{name} from a flat folder, read once at start into
// memory (the dashboard is a few small files): no file system access per request, and no
// path can escape the folder. A missing folder only logs a warning.
void add_static_routes(Router& router, const std::string& dir);

}  // namespace gs::http
