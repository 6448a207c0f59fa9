#include <iostream>

#include "harness/cli/commands.h"
#include "harness/cli/score_table.h"
#include "harness/run/merge_shards.h"
#include "harness/store/result_store.h"

namespace dokpa::cli {

void add_merge_command(CLI::App& app) {
  auto settings = std::make_shared<MergeSettings>();
  auto data_root = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand(
      "merge", "Merge the stores of the shards of one run (dokpa run --shard i/N) into one store and score the run");
  cmd->add_option("--into", settings->into, "the merged store (created if missing)")->required();
  cmd->add_option("--suite", settings->run.suite_file, "the suite YAML the shards ran")->required();
  cmd->add_option("--submission", settings->run.submission_file, "the submission manifest the shards ran")->required();
  cmd->add_option("--data-root", *data_root, "as given to dokpa run");
  cmd->add_option("--tasks", settings->run.only_tasks, "as given to dokpa run")->delimiter(',');
  cmd->add_option("--generation-cap", settings->run.generation_cap, "as given to dokpa run");
  cmd->add_flag("--allow-changed-data", settings->run.allow_changed_data, "as given to dokpa run");
  cmd->add_option("shards", settings->shards, "the shard stores")->required();
  cmd->callback([=] {
    if (!data_root->empty()) settings->run.data_root = *data_root;
    MergedRun merged = merge_shards(*settings, std::cerr);
    std::cerr << "run " << merged.run_id << " (" << merged.run_key << ") merged from " << settings->shards.size()
              << " stores and scored\n";
    auto store = open_result_store(settings->into);
    print_run_table(*store, merged.run_id, std::cout);
    std::cout << "run " << merged.run_id << " digest " << store->run_digest(merged.run_id) << "\n";
  });
}

}  // namespace dokpa::cli
