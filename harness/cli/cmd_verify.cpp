#include <iostream>

#include "common/error.h"
#include "harness/cli/commands.h"
#include "harness/store/result_store.h"

namespace dokpa::cli {

void add_verify_command(CLI::App& app) {
  auto store_file = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand("verify", "Check the store's audit chain: any later edit of results is reported");
  cmd->add_option("--store", *store_file, "SQLite store")->default_val("dokpa.db");
  cmd->callback([=] {
    if (!std::filesystem::exists(*store_file)) throw Error(*store_file, "store not found");
    VerifyReport report = open_result_store(*store_file)->verify();
    std::cout << report.entries << " audit entries checked, head " << report.head_hash << "\n";
    for (const VerifyProblem& p : report.problems)
      std::cout << "  entry " << p.seq << " (run " << p.run_id << "): " << p.message << "\n";
    if (!report.ok()) throw Error(*store_file, std::to_string(report.problems.size()) + " audit problem(s)");
    std::cout << "ok\n";
  });
}

}  // namespace dokpa::cli
