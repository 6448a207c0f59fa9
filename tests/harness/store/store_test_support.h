#pragma once
// Helpers for the store tests: a store with one submission, suite and run, planned requests,
// results for them, and raw SQLite access for inspecting or tampering with the file.
#include <sqlite3.h>

#include <filesystem>
#include <string>
#include <vector>

#include "common/sha256.h"
#include "harness/store/result_store.h"
#include "tests/test_support.h"

namespace dokpa::test {

// Runs SQL on the file directly, as an evaluator with the sqlite3 shell would; returns the
// SQLite result code and the error message.
inline std::pair<int, std::string> raw_try_exec(const std::filesystem::path& path, const std::string& sql) {
  sqlite3* db = nullptr;
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) return {SQLITE_CANTOPEN, "cannot open"};
  char* message = nullptr;
  int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message);
  std::string text = message ? message : "";
  sqlite3_free(message);
  sqlite3_close(db);
  return {rc, text};
}

inline void raw_exec(const std::filesystem::path& path, const std::string& sql) {
  auto [rc, message] = raw_try_exec(path, sql);
  INFO(sql << ": " << message);
  REQUIRE(rc == SQLITE_OK);
}

// The first column of the first row, as text ("" when there is none).
inline std::string raw_query(const std::filesystem::path& path, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK);
  std::string value;
  if (sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_text(stmt, 0))
    value = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return value;
}

inline SubmissionRecord sample_submission(const std::string& team = "team-a") {
  SubmissionRecord submission;
  submission.team = team;
  submission.model = "model-7b";
  submission.kind = "llm";
  submission.checkpoint_path = "/ckpt/" + team;
  submission.checkpoint_sha256 = sha256_hex("checkpoint of " + team);
  submission.manifest_yaml = "team: " + team + "\n";
  submission.files = {{"config.json", sha256_hex("config"), 10}, {"model.safetensors", sha256_hex("weights"), 1000}};
  return submission;
}

// `items` items of task "arc_ko", each with `choices` requests; plan order as listed.
inline std::vector<RequestRow> sample_requests(int items, int choices = 2, const std::string& task = "arc_ko") {
  std::vector<RequestRow> rows;
  for (int item = 0; item < items; ++item)
    for (int choice = 0; choice < choices; ++choice) {
      RequestRow row;
      row.key = {task, "item-" + std::to_string(item), choice};
      row.plan_order = static_cast<int64_t>(rows.size());
      row.prompt_hash = sha256_hex(task + "/" + std::to_string(item) + "/" + std::to_string(choice));
      row.request_json = R"({"context":"질문","continuation":" 답"})";
      rows.push_back(row);
    }
  return rows;
}

inline ResultRow result_for(const RequestRow& request) {
  ResultRow result;
  result.key = request.key;
  result.prompt_hash = request.prompt_hash;
  result.logprob = -1.25 - request.plan_order / 8.0;
  result.is_greedy = request.key.request_index == 0;
  result.n_tokens = 3;
  result.latency_ms = 4.5;
  return result;
}

inline std::vector<ResultRow> results_for(const std::vector<RequestRow>& requests, size_t begin, size_t end) {
  std::vector<ResultRow> results;
  for (size_t i = begin; i < end && i < requests.size(); ++i) results.push_back(result_for(requests[i]));
  return results;
}

// A started run of sample_submission() on a small suite.
inline RunStart sample_run_start(ResultStore& store, const std::string& run_key = "run-key-1") {
  RunStart start;
  start.submission_id = store.put_submission(sample_submission());
  start.suite_id = store.put_suite("smoke", sha256_hex("suite text"), "suite text");
  start.run_key = run_key;
  start.provenance_json = R"({"format":1})";
  start.data_files = {{"data/arc_ko.jsonl", sha256_hex("data")}};
  return start;
}

}  // namespace dokpa::test
