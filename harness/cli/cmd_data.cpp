#include <fmt/format.h>

#include <iostream>

#include "common/error.h"
#include "harness/cli/commands.h"
#include "harness/plan/data_check.h"

namespace dokpa::cli {

void add_data_command(CLI::App& app) {
  CLI::App* data = app.add_subcommand("data", "Inspect the data files a suite reads");
  data->require_subcommand(1);
  auto suite_file = std::make_shared<std::string>();
  auto data_root = std::make_shared<std::string>();
  CLI::App* check = data->add_subcommand(
      "check", "List every data file of a suite as ok, missing, unpinned or changed; exits 1 unless all are ok");
  check->add_option("suite", *suite_file, "suite YAML")->required();
  check->add_option("--data-root", *data_root, "folder the suite's data paths are relative to (default: the suite's)");
  check->callback([=] {
    SuiteConfig suite = load_suite(*suite_file);
    std::vector<DataFileCheck> checks = check_suite_data(suite, *data_root);
    size_t problems = 0;
    for (const DataFileCheck& c : checks) {
      std::string users;
      for (const std::string& user : c.used_by) users += (users.empty() ? "" : ", ") + user;
      std::cout << fmt::format("{:<9} {}  [{}]\n", to_string(c.state), c.resolved_path, users);
      if (c.state == DataFileState::Changed)
        std::cout << fmt::format("          pinned {}\n          actual {}\n", c.pinned_sha256, c.actual_sha256);
      if (c.state == DataFileState::Unpinned) std::cout << fmt::format("          actual {}\n", c.actual_sha256);
      if (c.state != DataFileState::Ok) ++problems;
    }
    std::cout << fmt::format("{} files, {} not ok\n", checks.size(), problems);
    if (problems > 0) throw Error(*suite_file, fmt::format("{} of {} data files are missing, unpinned or changed", problems, checks.size()));
  });
}

}  // namespace dokpa::cli
