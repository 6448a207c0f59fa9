#include <iostream>

#include "harness/cli/commands.h"
#include "harness/cli/score_table.h"
#include "harness/store/result_store.h"
#include "harness/suite/suite_config.h"

namespace dokpa::cli {

void add_results_command(CLI::App& app) {
  auto store_file = std::make_shared<std::string>();
  auto suite_file = std::make_shared<std::string>();
  auto run_id = std::make_shared<int64_t>(0);
  CLI::App* cmd = app.add_subcommand("results", "Score table of one run, of every run of a suite, or of the latest run");
  cmd->add_option("--store", *store_file, "SQLite store")->default_val("dokpa.db");
  cmd->add_option("--run", *run_id, "run id");
  cmd->add_option("--suite", *suite_file, "suite YAML: every run of this suite (same suite hash), side by side");
  cmd->callback([=] {
    if (!std::filesystem::exists(*store_file)) throw Error(*store_file, "store not found");
    auto store = open_result_store(*store_file, StoreAccess::ReadOnly);
    if (*run_id > 0) return print_run_table(*store, *run_id, std::cout);
    if (!suite_file->empty()) return print_suite_table(*store, load_suite(*suite_file).hash, std::cout);
    std::vector<RunSummary> runs = store->list_runs();
    if (runs.empty()) throw Error(*store_file, "the store holds no runs");
    for (const RunSummary& run : runs) print_run_table(*store, run.id, std::cout);
  });
}

}  // namespace dokpa::cli
