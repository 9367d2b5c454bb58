#pragma once

// Moved to the public header so that sse can use it; kept so that http's own files compile
// unchanged. New code includes "goldensignals/http/params.h".
#include "goldensignals/http/params.h"
