#pragma once

#include "goldensignals/health/readiness.h"
#include "goldensignals/http/router.h"
#include "goldensignals/metrics/registry.h"

namespace gs::http {

// GET /healthz, /readyz, /metrics and /v1/version.
void add_system_routes(Router& router, const health::Readiness& readiness,
                       const metrics::Registry& registry);

}  // namespace gs::http
