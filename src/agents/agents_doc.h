#pragma once

// docs/agents.md is prose written by hand, plus one generated line per agent right under its
// heading, rendered from the registry:
//   - Registry: category `momentum`, min_bars 15, parameters `{"period":14,...}`.
// sync_agents_doc() rewrites those lines (inserting missing ones) and reports what the prose
// cannot fix by itself: an agent without a section, a section for no agent, a section under
// the wrong category. tools/agents_doc.cpp (target gs_agents_doc) writes the file;
// tests/agents/agents_doc_test.cpp checks that the committed file is what it would write.

#include <string>
#include <string_view>
#include <vector>

#include "goldensignals/agents/agent.h"

namespace gs::agents {

// The generated line for one agent (without the newline).
std::string registry_line(const AgentDef& def);

struct DocSync {
    std::string text;                 // the document with every registry line as rendered
    std::vector<std::string> errors;  // empty when every agent has exactly one section
};

// Sections: a `# <Category> agents...` heading opens a category; under it, a `## <name>` or
// `## <n>. <name>` heading whose title is one snake_case word is an agent's section.
DocSync sync_agents_doc(std::string_view doc);

}  // namespace gs::agents
