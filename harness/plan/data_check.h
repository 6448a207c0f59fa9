#pragma once
// `dokpa data check`: every data file a suite reads, with its state against the suite's pins,
// before anything is run (an evaluator checks a download; a team checks its copy).
#include <filesystem>
#include <string>
#include <vector>

#include "harness/suite/suite_config.h"

namespace dokpa {

enum class DataFileState { Ok, Missing, Unpinned, Changed };
const char* to_string(DataFileState state);

struct DataFileCheck {
  std::string path;  // as written in the suite
  std::string resolved_path;  // under the data root
  std::vector<std::string> used_by;  // "task (role)", suite order
  DataFileState state = DataFileState::Ok;
  std::string pinned_sha256;  // empty when unpinned
  std::string actual_sha256;  // empty when missing
};

// One entry per distinct file, in suite order. `data_root` empty = the suite's data_root.
// Two tasks pinning one file to different hashes is reported as Changed against either pin.
std::vector<DataFileCheck> check_suite_data(const SuiteConfig& suite, const std::filesystem::path& data_root);

}  // namespace dokpa
