#include <unistd.h>

#include <iostream>

#include "harness/cli/commands.h"
#include "harness/cli/score_table.h"
#include "harness/run/run_suite.h"
#include "harness/store/result_store.h"

namespace dokpa::cli {

void add_run_command(CLI::App& app) {
  auto settings = std::make_shared<RunSettings>();
  auto data_root = std::make_shared<std::string>();
  auto batch_size = std::make_shared<int>(0);
  auto threads = std::make_shared<int>(0);
  auto device = std::make_shared<std::string>();
  auto dtype = std::make_shared<std::string>();
  auto shard = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand("run", "Run a suite on a submission; resumes an interrupted run with the same key");
  cmd->add_option("--suite", settings->suite_file, "suite YAML")->required();
  cmd->add_option("--submission", settings->submission_file, "submission manifest YAML")->required();
  cmd->add_option("--store", settings->store_file, "SQLite store (created if missing)")->default_val("dokpa.db");
  cmd->add_option("--data-root", *data_root, "folder the suite's data paths are relative to (default: the suite's folder)");
  cmd->add_option("--batch-size", *batch_size, "override the manifest's batch size");
  cmd->add_option("--threads", *threads, "override the manifest's CPU threads");
  cmd->add_option("--device", *device, "override the manifest's device (auto, cpu, cuda, cuda:N)");
  cmd->add_option("--dtype", *dtype, "override the manifest's dtype (float32, bfloat16, float16)");
  cmd->add_flag("--allow-changed-data", settings->allow_changed_data,
                "run data files that differ from the suite's sha256 pins (recorded; default: refuse)");
  cmd->add_option("--tasks", settings->only_tasks,
                 "run only these tasks (names or patterns like 'kmmlu_*', comma-separated; part of the run key)")
      ->delimiter(',');
  cmd->add_option("--generation-cap", settings->generation_cap,
                  "cap every generation at N new tokens: a quick check, not the protocol (part of the run key)");
  cmd->add_option("--chunk-items", settings->chunk_items,
                  "items per runner call (part of the run key; default: the runner's choice, 8 for native)");
  cmd->add_option("--shard", *shard,
                  "run only shard i of N (i/N): chunk c when c mod N = i-1; shards share the run key, and their "
                  "stores combine with `dokpa merge` (or share one store file)");
  cmd->callback([=] {
    if (!data_root->empty()) settings->data_root = *data_root;
    if (*batch_size > 0) settings->batch_size = *batch_size;
    if (*threads > 0) settings->threads = *threads;
    if (!device->empty()) settings->device = *device;
    if (!dtype->empty()) settings->dtype = *dtype;
    if (!shard->empty()) settings->shard = parse_shard(*shard);
    settings->progress_on_terminal = ::isatty(STDERR_FILENO);
    RunOutcome outcome = run_suite(*settings, std::cerr);
    if (!outcome.complete) return;  // a shard: the run's scores come when every shard is in
    std::cerr << "run " << outcome.run_id << " complete: " << outcome.requests_executed << " of "
              << outcome.requests_total << " requests executed now, the rest stored earlier\n";
    auto store = open_result_store(settings->store_file);
    print_run_table(*store, outcome.run_id, std::cout);
    // Keep this outside the store: `dokpa verify --digest` checks the store against it later.
    std::cout << "run " << outcome.run_id << " digest " << store->run_digest(outcome.run_id) << "\n";
  });
}

}  // namespace dokpa::cli
