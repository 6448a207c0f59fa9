#pragma once
// Writes a report file whole or not at all: into "<file>.tmp", renamed over `file` once
// complete, so a reader never sees half a report.
#include <filesystem>
#include <functional>
#include <ostream>

namespace dokpa::cli {

void write_file_atomically(const std::filesystem::path& file, const std::function<void(std::ostream&)>& write);

}  // namespace dokpa::cli
