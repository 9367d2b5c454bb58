// gs_agents_doc: keeps docs/agents.md in step with the agent registry.
//   gs_agents_doc docs/agents.md          rewrites each agent's "- Registry:" line
//   gs_agents_doc --check docs/agents.md  exits 1 when the file is not what it would write
// Sections missing, extra or under the wrong category are reported (exit 2): the prose
// around them is for a person to write.
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <string_view>

#include "agents/agents_doc.h"

int main(int argc, char** argv) {
    bool check = false;
    std::string path;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (arg == "--check") {
            check = true;
        } else {
            path = arg;
        }
    }
    if (path.empty()) {
        std::cerr << "usage: gs_agents_doc [--check] docs/agents.md\n";
        return 64;
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        std::cerr << "cannot read " << path << "\n";
        return 66;
    }
    std::ostringstream buffer;
    buffer << in.rdbuf();
    const std::string doc = buffer.str();
    const auto synced = gs::agents::sync_agents_doc(doc);
    for (const auto& error : synced.errors) {
        std::cerr << path << ": " << error << "\n";
    }
    if (!synced.errors.empty()) {
        return 2;
    }
    if (synced.text == doc) {
        return 0;
    }
    if (check) {
        std::cerr << path << " is out of step with the registry: run gs_agents_doc " << path
                  << "\n";
        return 1;
    }
    std::ofstream(path, std::ios::binary | std::ios::trunc) << synced.text;
    std::cout << "rewrote " << path << "\n";
    return 0;
}
