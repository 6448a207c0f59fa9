// Checks 4 and 5 of the walking skeleton: a run killed with SIGKILL part-way resumes to a store
// identical to an uninterrupted run; two runs store identical results; batch size 1 and 8 give
// the same predictions.
#include <catch2/catch.hpp>

#include <chrono>
#include <cmath>
#include <thread>

#include "tests/harness/cli/cli_test_support.h"

using namespace dokpa;
using namespace dokpa::test;

namespace {

int64_t count_results(const std::filesystem::path& store) {
  // Raw sqlite3 (no REQUIRE): while the run starts, the file or its tables may not exist yet.
  sqlite3* db = nullptr;
  int64_t count = 0;
  if (std::filesystem::exists(store) && sqlite3_open_v2(store.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_busy_timeout(db, 5000);
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db, "SELECT count(*) FROM results", -1, &stmt, nullptr) == SQLITE_OK &&
        sqlite3_step(stmt) == SQLITE_ROW)
      count = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
  }
  sqlite3_close(db);
  return count;
}

}  // namespace

TEST_CASE("a run killed with SIGKILL resumes to the store of an uninterrupted run", "[cli][resume][smollm2]") {
  std::filesystem::path dir = scratch_dir("resume");
  const std::string chunking = "--chunk-items 2";
  CommandResult whole = run_dokpa(smoke_args(dir / "uninterrupted.db", chunking));
  INFO(whole.output);
  REQUIRE(whole.exit_code == 0);
  const int64_t total = count_results(dir / "uninterrupted.db");
  REQUIRE(total > 0);

  // Start the same run, kill it once some chunks are committed but before the end.
  std::filesystem::path store = dir / "killed.db";
  pid_t pid = start_dokpa(smoke_args(store, chunking));
  int64_t committed = 0;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(5);
  while ((committed = count_results(store)) == 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  REQUIRE(WIFSIGNALED(status));
  committed = count_results(store);
  WARN("killed after " << committed << " of " << total << " results were committed");
  REQUIRE(committed > 0);
  REQUIRE(committed < total);

  CommandResult resumed = run_dokpa(smoke_args(store, chunking));
  INFO(resumed.output);
  REQUIRE(resumed.exit_code == 0);
  CHECK(resumed.output.find("resuming run") != std::string::npos);

  auto expected = stored_results(dir / "uninterrupted.db");
  auto actual = stored_results(store);
  for (const auto& [table, rows] : expected) {
    INFO("table " << table);
    CHECK(actual[table] == rows);
  }
  CHECK(static_cast<int64_t>(actual["results"].size()) == total);  // nothing lost, nothing duplicated

  // Running it a third time is a no-op.
  CommandResult again = run_dokpa(smoke_args(store, chunking));
  CHECK(again.exit_code == 0);
  CHECK(again.output.find("already complete") != std::string::npos);
  CHECK(stored_results(store) == actual);
}

TEST_CASE("two runs store identical results, and batch size 1 and 8 predict the same", "[cli][determinism][smollm2]") {
  std::filesystem::path dir = scratch_dir("determinism");
  for (const char* name : {"first.db", "second.db"}) {
    CommandResult run = run_dokpa(smoke_args(dir / name, "--batch-size 8"));
    INFO(run.output);
    REQUIRE(run.exit_code == 0);
  }
  CHECK(stored_results(dir / "first.db") == stored_results(dir / "second.db"));

  CommandResult single = run_dokpa(smoke_args(dir / "batch1.db", "--batch-size 1"));
  INFO(single.output);
  REQUIRE(single.exit_code == 0);
  const std::string scores = "SELECT task, item_id, metric, value FROM item_scores ORDER BY 1, 2, 3";
  CHECK(query_rows(dir / "batch1.db", scores) == query_rows(dir / "first.db", scores));
  const std::string texts = "SELECT task, item_id, response_text FROM results WHERE response_text IS NOT NULL ORDER BY 1, 2";
  CHECK(query_rows(dir / "batch1.db", texts) == query_rows(dir / "first.db", texts));

  const std::string logprobs = "SELECT logprob FROM results WHERE logprob IS NOT NULL ORDER BY task, item_id, request_index";
  auto a = query_rows(dir / "batch1.db", logprobs), b = query_rows(dir / "first.db", logprobs);
  REQUIRE(a.size() == b.size());
  double worst = 0;
  for (size_t i = 0; i < a.size(); ++i) worst = std::max(worst, std::abs(std::stod(a[i]) - std::stod(b[i])));
  WARN("largest |Δ logprob| between batch size 1 and 8 over " << a.size() << " requests: " << worst);
  CHECK(worst <= 1e-4);
}
