#pragma once
// The `dokpa` subcommands. Each registers its options on the CLI11 app and returns the exit code
// through the callback; dokpa::Error is caught once, in main.cpp.
#include <CLI/CLI.hpp>

namespace dokpa::cli {

void add_run_command(CLI::App& app);
void add_results_command(CLI::App& app);
void add_inspect_command(CLI::App& app);
void add_verify_command(CLI::App& app);
void add_data_command(CLI::App& app);
void add_merge_command(CLI::App& app);
void add_report_command(CLI::App& app);  // and `compare`, in cmd_report.cpp
void add_compare_command(CLI::App& app);

}  // namespace dokpa::cli
