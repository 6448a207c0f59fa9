#include "harness/cli/output_file.h"

#include <fstream>

#include "common/error.h"

namespace dokpa::cli {

void write_file_atomically(const std::filesystem::path& file, const std::function<void(std::ostream&)>& write) {
  std::filesystem::path temporary = file;
  temporary += ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary);
    if (!out) throw Error(file.string(), "cannot create the file");
    write(out);
    out.flush();
    if (!out) throw Error(file.string(), "write failed (disk full?)");
  }
  std::error_code error;
  std::filesystem::rename(temporary, file, error);
  if (error) throw Error(file.string(), "cannot move the finished file into place: " + error.message());
}

}  // namespace dokpa::cli
