#include <fmt/format.h>

#include <iostream>

#include "common/error.h"
#include "harness/cli/commands.h"
#include "harness/store/result_store.h"

namespace dokpa::cli {

namespace {

// Recomputes run digests and compares them with `expected` (one run, or every run: then some
// run must match). Throws naming the store when none does.
void check_digest(ResultStore& store, const std::string& expected, int64_t run_id) {
  std::vector<int64_t> runs;
  if (run_id > 0) runs.push_back(run_id);
  else
    for (const RunSummary& run : store.list_runs()) runs.push_back(run.id);
  for (int64_t id : runs) {
    std::string digest = store.run_digest(id);
    if (digest == expected) {
      std::cout << "run " << id << " digest matches " << expected << "\n";
      return;
    }
    if (run_id > 0) std::cout << "run " << id << " digest is " << digest << "\n";
  }
  throw Error(store.path().string(),
              run_id > 0 ? fmt::format("run {} does not match digest {}: its results or scores changed since it was recorded",
                                       run_id, expected)
                         : fmt::format("no run matches digest {}: the run's results or scores changed since it was recorded, "
                                       "or it is not in this store",
                                       expected));
}

}  // namespace

void add_verify_command(CLI::App& app) {
  auto store_file = std::make_shared<std::string>();
  auto digest = std::make_shared<std::string>();
  auto run_id = std::make_shared<int64_t>(0);
  CLI::App* cmd = app.add_subcommand("verify", "Check the store's audit chain: any later edit of results is reported");
  cmd->add_option("--store", *store_file, "SQLite store")->default_val("dokpa.db");
  cmd->add_option("--digest", *digest, "a run digest recorded earlier (printed by dokpa run, in the report): check the run against it");
  cmd->add_option("--run", *run_id, "the run --digest belongs to (default: any run of the store)");
  cmd->callback([=] {
    if (!std::filesystem::exists(*store_file)) throw Error(*store_file, "store not found");
    auto store = open_result_store(*store_file);
    if (!digest->empty()) check_digest(*store, *digest, *run_id);
    VerifyReport report = store->verify();
    std::cout << report.entries << " audit entries checked, head " << report.head_hash << "\n";
    for (const VerifyProblem& p : report.problems)
      std::cout << "  entry " << p.seq << " (run " << p.run_id << "): " << p.message << "\n";
    if (!report.ok()) throw Error(*store_file, std::to_string(report.problems.size()) + " audit problem(s)");
    std::cout << "ok\n";
  });
}

}  // namespace dokpa::cli
