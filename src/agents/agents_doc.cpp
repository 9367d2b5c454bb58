#include "agents/agents_doc.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>

#include <fmt/format.h>

#include "goldensignals/agents/registry.h"

namespace gs::agents {
namespace {

constexpr std::string_view kRegistryPrefix = "- Registry:";

std::vector<std::string_view> split_lines(std::string_view text) {
    std::vector<std::string_view> lines;
    while (!text.empty()) {
        const auto end = text.find('\n');
        lines.push_back(text.substr(0, end));
        text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    }
    return lines;
}

bool starts_with_ci(std::string_view text, std::string_view prefix) {
    return text.size() >= prefix.size() &&
           std::equal(prefix.begin(), prefix.end(), text.begin(), [](char a, char b) {
               return std::tolower(static_cast<unsigned char>(a)) ==
                      std::tolower(static_cast<unsigned char>(b));
           });
}

// The category a `# ` heading opens, if it is one ("# Trend agents (#1-#13)").
std::optional<Category> category_heading(std::string_view title) {
    for (std::size_t c = 0; c < kCategoryCount; ++c) {
        const auto category = static_cast<Category>(c);
        if (starts_with_ci(title, fmt::format("{} agents", to_string(category)))) {
            return category;
        }
    }
    return std::nullopt;
}

// The agent name of a `## ` title: "rsi" or "14. rsi"; empty for a prose title.
std::string_view agent_title(std::string_view title) {
    std::size_t i = 0;
    while (i < title.size() && std::isdigit(static_cast<unsigned char>(title[i]))) {
        ++i;
    }
    if (i > 0 && title.substr(i, 2) == ". ") {
        title.remove_prefix(i + 2);
    }
    const bool word = !title.empty() && std::all_of(title.begin(), title.end(), [](char c) {
        return std::islower(static_cast<unsigned char>(c)) ||
               std::isdigit(static_cast<unsigned char>(c)) || c == '_';
    });
    return word ? title : std::string_view();
}

}  // namespace

std::string registry_line(const AgentDef& def) {
    return fmt::format("{} category `{}`, min_bars {}, parameters `{}`.", kRegistryPrefix,
                       to_string(def.category), def.min_bars, def.parameters);
}

DocSync sync_agents_doc(std::string_view doc) {
    DocSync out;
    const auto lines = split_lines(doc);
    std::map<std::string_view, int, std::less<>> seen;
    std::optional<Category> category;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        const std::string_view line = lines[i];
        out.text.append(line).push_back('\n');
        if (line.starts_with("# ")) {
            category = category_heading(line.substr(2));
            continue;
        }
        if (!line.starts_with("## ") || !category) {
            continue;
        }
        const std::string_view name = agent_title(line.substr(3));
        if (name.empty()) {
            continue;
        }
        const AgentDef* def = find_agent(name);
        if (def == nullptr) {
            out.errors.push_back(fmt::format("a section for `{}`, which is no agent", name));
            continue;
        }
        if (++seen[def->name] > 1) {
            out.errors.push_back(fmt::format("`{}` has more than one section", name));
        }
        if (def->category != *category) {
            out.errors.push_back(fmt::format("`{}` is a {} agent but documented under {}", name,
                                             to_string(def->category), to_string(*category)));
        }
        // Blank lines stay; the registry line is the section's first bullet.
        while (i + 1 < lines.size() && lines[i + 1].empty()) {
            out.text.push_back('\n');
            ++i;
        }
        out.text.append(registry_line(*def)).push_back('\n');
        if (i + 1 < lines.size() && lines[i + 1].starts_with(kRegistryPrefix)) {
            ++i;
        }
    }
    for (const AgentDef* def : all_agents()) {
        if (!seen.contains(def->name)) {
            out.errors.push_back(fmt::format("`{}` has no section", def->name));
        }
    }
    if (!doc.ends_with('\n') && !out.text.empty()) {
        out.text.pop_back();
    }
    return out;
}

}  // namespace gs::agents
