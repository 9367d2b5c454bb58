#include "support/reference_data.h"

#include <charconv>
#include <filesystem>
#include <fstream>
#include <limits>
#include <stdexcept>
#include <system_error>

namespace gs::testing {
namespace {

std::filesystem::path data_dir() {
#ifdef GS_REFERENCE_DATA_DIR
    return std::filesystem::path(GS_REFERENCE_DATA_DIR);
#else
    // Fallback until the build defines GS_REFERENCE_DATA_DIR: tests/support/../reference/data.
    return std::filesystem::path(__FILE__).parent_path().parent_path() / "reference" / "data";
#endif
}

std::vector<std::string> split_csv_line(std::string_view line) {
    if (!line.empty() && line.back() == '\r') {
        line.remove_suffix(1);
    }
    std::vector<std::string> fields;
    std::size_t start = 0;
    for (;;) {
        const std::size_t comma = line.find(',', start);
        if (comma == std::string_view::npos) {
            fields.emplace_back(line.substr(start));
            return fields;
        }
        fields.emplace_back(line.substr(start, comma - start));
        start = comma + 1;
    }
}

double parse_cell(const std::string& cell) {
    double value = std::numeric_limits<double>::quiet_NaN();
    if (cell.empty()) {
        return value;
    }
    const char* first = cell.data();
    const char* last = cell.data() + cell.size();
    if (*first == '+') {
        ++first;
    }
    const auto [ptr, ec] = std::from_chars(first, last, value);
    if (ec != std::errc() || ptr != last) {
        return std::numeric_limits<double>::quiet_NaN();
    }
    return value;
}

}  // namespace

ReferenceTable ReferenceTable::load(const std::string& file_name) {
    const std::filesystem::path path = data_dir() / file_name;
    std::ifstream in(path);
    if (!in) {
        throw std::runtime_error("reference data: cannot open '" + path.string() + "'");
    }

    ReferenceTable table;
    table.file_name_ = file_name;
    std::string line;
    if (!std::getline(in, line)) {
        throw std::runtime_error("reference data: '" + path.string() + "' is empty");
    }
    table.names_ = split_csv_line(line);
    for (std::size_t i = 0; i < table.names_.size(); ++i) {
        const std::string& name = table.names_[i];
        if (name.empty()) {
            throw std::runtime_error("reference data: '" + path.string() +
                                     "' has an empty name for column " + std::to_string(i + 1));
        }
        if (!table.index_.emplace(name, i).second) {
            throw std::runtime_error("reference data: '" + path.string() +
                                     "' has duplicate column '" + name + "'");
        }
    }
    table.values_.resize(table.names_.size());
    table.text_.resize(table.names_.size());

    std::size_t line_no = 1;
    while (std::getline(in, line)) {
        ++line_no;
        if (line.empty() || line == "\r") {
            continue;
        }
        std::vector<std::string> fields = split_csv_line(line);
        if (fields.size() != table.names_.size()) {
            throw std::runtime_error("reference data: '" + path.string() + "' line " +
                                     std::to_string(line_no) + " has " +
                                     std::to_string(fields.size()) + " cells, expected " +
                                     std::to_string(table.names_.size()));
        }
        for (std::size_t i = 0; i < fields.size(); ++i) {
            table.values_[i].push_back(parse_cell(fields[i]));
            table.text_[i].push_back(std::move(fields[i]));
        }
        ++table.rows_;
    }
    if (in.bad()) {
        throw std::runtime_error("reference data: error reading '" + path.string() + "'");
    }
    return table;
}

std::size_t ReferenceTable::find(std::string_view name) const {
    const auto it = index_.find(name);
    if (it == index_.end()) {
        throw std::out_of_range("reference data: no column '" + std::string(name) + "' in '" +
                                file_name_ + "'");
    }
    return it->second;
}

const std::vector<double>& ReferenceTable::column(std::string_view name) const {
    return values_[find(name)];
}

const std::vector<std::string>& ReferenceTable::text_column(std::string_view name) const {
    return text_[find(name)];
}

}  // namespace gs::testing
