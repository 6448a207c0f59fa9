#include "harness/plan/data_check.h"

#include <algorithm>

#include "common/sha256.h"

namespace dokpa {

const char* to_string(DataFileState state) {
  switch (state) {
    case DataFileState::Ok: return "ok";
    case DataFileState::Missing: return "missing";
    case DataFileState::Unpinned: return "unpinned";
    case DataFileState::Changed: return "changed";
  }
  return "?";
}

std::vector<DataFileCheck> check_suite_data(const SuiteConfig& suite, const std::filesystem::path& data_root) {
  const std::filesystem::path root = data_root.empty() ? suite.data_root : data_root;
  std::vector<DataFileCheck> checks;
  auto add = [&](const TaskConfig& task, const DataSource& source, const char* role) {
    std::string resolved = resolve_data_path(suite, root, task.name, source).string();
    auto found = std::find_if(checks.begin(), checks.end(), [&](const DataFileCheck& c) { return c.resolved_path == resolved; });
    if (found == checks.end()) {
      DataFileCheck check;
      check.path = source.path;
      check.resolved_path = resolved;
      if (std::filesystem::is_regular_file(resolved)) check.actual_sha256 = sha256_file_hex(resolved);
      checks.push_back(check);
      found = checks.end() - 1;
    }
    found->used_by.push_back(task.name + " (" + role + ")");
    if (!source.sha256.empty()) {
      if (found->pinned_sha256.empty() || source.sha256 != found->actual_sha256) found->pinned_sha256 = source.sha256;
    }
  };
  for (const TaskConfig& task : suite.tasks) {
    add(task, task.dataset, "dataset");
    if (task.fewshot.count > 0 && task.fewshot.has_source) add(task, task.fewshot.source, "fewshot");
  }
  for (DataFileCheck& check : checks) {
    if (check.actual_sha256.empty()) check.state = DataFileState::Missing;
    else if (check.pinned_sha256.empty()) check.state = DataFileState::Unpinned;
    else if (check.pinned_sha256 != check.actual_sha256) check.state = DataFileState::Changed;
    else check.state = DataFileState::Ok;
  }
  return checks;
}

}  // namespace dokpa
