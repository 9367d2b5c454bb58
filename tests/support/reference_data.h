#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace gs::testing {

// A CSV table of doubles by column name, as written by tests/reference/generate.sh (TA-Lib
// reference values, see tests/reference/README.md). Empty cells (TA-Lib gives no value, e.g. in
// the warm-up) and non-numeric cells (such as the `time` column) are NaN.
class ReferenceTable {
  public:
    // Loads `file_name` relative to GS_REFERENCE_DATA_DIR (absolute path of tests/reference/data;
    // an absolute `file_name` is used as is). Throws std::runtime_error naming the file (and the
    // line or column) when it cannot be read or is malformed.
    static ReferenceTable load(const std::string& file_name);

    // Throws std::out_of_range naming the column (and the file) when absent.
    const std::vector<double>& column(std::string_view name) const;
    // The raw cell strings of a column (e.g. `time`). Throws std::out_of_range when absent.
    const std::vector<std::string>& text_column(std::string_view name) const;

    std::size_t rows() const { return rows_; }
    bool has(std::string_view name) const { return index_.find(name) != index_.end(); }
    const std::vector<std::string>& column_names() const { return names_; }
    const std::string& file_name() const { return file_name_; }

  private:
    ReferenceTable() = default;
    std::size_t find(std::string_view name) const;

    std::string file_name_;
    std::size_t rows_ = 0;
    std::vector<std::string> names_;
    std::map<std::string, std::size_t, std::less<>> index_;
    std::vector<std::vector<double>> values_;
    std::vector<std::vector<std::string>> text_;
};

}  // namespace gs::testing
