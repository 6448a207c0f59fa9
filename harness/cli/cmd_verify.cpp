#include <fmt/format.h>

#include <iostream>

#include "common/error.h"
#include "harness/cli/commands.h"
#include "harness/run/recompute.h"
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
  CLI::App* cmd = app.add_subcommand(
      "verify", "Check the store's audit chain (any later edit of results is reported); --recompute re-runs stored items");
  cmd->add_option("--store", *store_file, "SQLite store")->default_val("dokpa.db");
  cmd->add_option("--digest", *digest, "a run digest recorded earlier (printed by dokpa run, in the report): check the run against it");
  cmd->add_option("--run", *run_id,
                  "the run --digest or --recompute is about (default: any run for --digest, the store's only run "
                  "for --recompute)");
  auto recompute = std::make_shared<RecomputeOptions>();
  auto checkpoint = std::make_shared<std::string>();
  auto device = std::make_shared<std::string>();
  auto threads = std::make_shared<int>(0);
  CLI::Option* items =
      cmd->add_option("--recompute", recompute->items,
                      "re-run N stored ITEMS of the run, drawn at random with --seed, on the run's checkpoint and "
                      "compare: generations exactly, log-probabilities within 1e-3 + 1e-4 per token, every "
                      "prediction (N counts items: a multiple-choice item is all its choices; N above the run's "
                      "item count checks every item). Each drawn item is re-run inside its chunk, the run's own "
                      "runner call, so its batches are the run's; only the drawn items are compared "
                      "(docs/store-schema.md)");
  cmd->add_option("--seed", recompute->seed,
                  "seed of the --recompute draw, random.Random(seed).sample over the run's items in plan order "
                  "(default 0; choose your own: a default draw can be foreseen)")
      ->needs(items);
  cmd->add_option("--checkpoint", *checkpoint,
                  "--recompute: the checkpoint folder (default: the run's manifest path); refused unless its "
                  "sha256 is the run's")
      ->needs(items);
  cmd->add_option("--device", *device,
                  "--recompute: run on this device (cpu, cuda, cuda:N) instead of the one the run recorded")
      ->needs(items);
  cmd->add_option("--threads", *threads, "--recompute: CPU threads (default: the manifest's)")->needs(items);
  cmd->callback([=] {
    if (!std::filesystem::exists(*store_file)) throw Error(*store_file, "store not found");
    auto store = open_result_store(*store_file, StoreAccess::ReadOnly);
    if (!digest->empty()) check_digest(*store, *digest, *run_id);
    VerifyReport report = store->verify();
    std::cout << report.entries << " audit entries checked, head " << report.head_hash << "\n";
    for (const VerifyProblem& p : report.problems)
      std::cout << "  entry " << p.seq << " (run " << p.run_id << "): " << p.message << "\n";
    std::string failures;
    if (!report.ok()) {
      failures = std::to_string(report.problems_found) + " audit problem(s)";
      if (report.problems_found > static_cast<int64_t>(report.problems.size()))
        failures += " (the first " + std::to_string(report.problems.size()) + " listed)";
    }
    if (items->count() > 0) {
      // Runs even when the chain is broken: it tells whether the stored values are the checkpoint's.
      RecomputeOptions options = *recompute;
      options.run_id = *run_id;
      if (!checkpoint->empty()) options.checkpoint = *checkpoint;
      if (!device->empty()) options.device = *device;
      if (*threads > 0) options.threads = *threads;
      RecomputeReport recomputed = recompute_run(*store, options, std::cout, std::cerr);
      if (recomputed.mismatches() > 0)
        failures += (failures.empty() ? "" : "; ") +
                    fmt::format("{} of {} recomputed items of run {} differ from the stored results",
                                recomputed.mismatches(), recomputed.items.size(), recomputed.run_id);
    }
    if (!failures.empty()) throw Error(*store_file, failures);
    std::cout << "ok\n";
  });
}

}  // namespace dokpa::cli
