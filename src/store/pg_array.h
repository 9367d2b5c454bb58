#pragma once

#include <string>
#include <vector>

namespace gs::store {

// A PostgreSQL text[] literal ('{"a","b"}') for a bound parameter: every element
// double-quoted, backslash and quote escaped, so any text round-trips.
inline std::string text_array_literal(const std::vector<std::string>& items) {
    std::string text = "{";
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (i != 0) {
            text.push_back(',');
        }
        text.push_back('"');
        for (const char c : items[i]) {
            if (c == '"' || c == '\\') {
                text.push_back('\\');
            }
            text.push_back(c);
        }
        text.push_back('"');
    }
    text.push_back('}');
    return text;
}

}  // namespace gs::store
