// dokpa: reproducible evaluation of LLM/VLM/VLA checkpoints on Korean benchmarks.
#include <iostream>

#include "common/error.h"
#include "harness/cli/commands.h"
#include "suites/builtin_preprocessors.h"

int main(int argc, char** argv) {
  CLI::App app{"dokpa: reproducible evaluation harness for Korea's sovereign AI foundation models"};
  app.require_subcommand(1);
  dokpa::cli::add_run_command(app);
  dokpa::cli::add_results_command(app);
  dokpa::cli::add_inspect_command(app);
  dokpa::cli::add_verify_command(app);
  dokpa::cli::add_data_command(app);
  dokpa::cli::add_merge_command(app);
  dokpa::cli::add_report_command(app);
  dokpa::cli::add_compare_command(app);
  try {
    dokpa::suites::register_builtin_preprocessors();
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const dokpa::Error& e) {
    std::cerr << "dokpa: error: " << e.what() << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "dokpa: internal error: " << e.what() << "\n";
    return 2;
  }
  return 0;
}
