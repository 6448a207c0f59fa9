#pragma once
// Plain-text score tables read from the store: one run, or every run of a suite side by side.
#include <cstdint>
#include <ostream>
#include <string>

#include "harness/store/result_store.h"

namespace dokpa::cli {

void print_run_table(ResultStore& store, int64_t run_id, std::ostream& out);
void print_suite_table(ResultStore& store, const std::string& suite_hash, std::ostream& out);

}  // namespace dokpa::cli
