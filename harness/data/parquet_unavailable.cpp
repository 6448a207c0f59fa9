// parse_parquet and read_parquet of a build configured with DOKPA_PARQUET=OFF (no Arrow C++):
// every Parquet data file is refused by name.
#include "common/error.h"
#include "harness/data/dataset.h"

namespace dokpa {

namespace {
[[noreturn]] void refuse(const std::string& source) {
  throw Error(source, "this dokpa was built without Parquet support (DOKPA_PARQUET=OFF); rebuild with it ON "
                      "to read Parquet data files");
}
}  // namespace

Dataset parse_parquet(std::string_view, const std::string& source) { refuse(source); }

Dataset read_parquet(const std::filesystem::path& path) { refuse(path.string()); }

}  // namespace dokpa
