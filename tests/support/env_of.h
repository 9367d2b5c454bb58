#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "goldensignals/config/options.h"

namespace gs::testing {

// The environment a parse sees, from a map (the tests never read the process's own).
inline config::EnvLookup env_of(std::map<std::string, std::string> values) {
    return [values = std::move(values)](std::string_view name) -> std::optional<std::string> {
        auto it = values.find(std::string(name));
        if (it == values.end()) {
            return std::nullopt;
        }
        return it->second;
    };
}

}  // namespace gs::testing
