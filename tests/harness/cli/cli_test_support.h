#pragma once
// Helpers for end-to-end tests of the `dokpa` executable: running it, killing it, and reading
// its store with the sqlite3 C API (as an evaluator with the sqlite3 shell would).
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "tests/test_support.h"

namespace dokpa::test {

inline std::string dokpa_binary() { return binary_dir() + "/dokpa"; }

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};

inline CommandResult run_dokpa(const std::string& args) {
  std::string command = shell_quote(dokpa_binary()) + " " + args + " 2>&1";
  CommandResult result;
  FILE* pipe = ::popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::array<char, 4096> buffer{};
  size_t n;
  while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0) result.output.append(buffer.data(), n);
  int status = ::pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

// Starts `dokpa <args>` in the background (output discarded), with `environment` ("NAME=value ...")
// before it; the caller waits for or kills the returned process.
inline pid_t start_dokpa(const std::string& args, const std::string& environment = "") {
  std::string command = environment + " exec " + shell_quote(dokpa_binary()) + " " + args + " >/dev/null 2>&1";
  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  return pid;
}

// Rows of a query, each row's columns joined with '|' (NULL as "NULL"), doubles at full precision.
inline std::vector<std::string> query_rows(const std::filesystem::path& store, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open_v2(store.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  sqlite3_busy_timeout(db, 5000);
  sqlite3_stmt* stmt = nullptr;
  INFO(sql << ": " << sqlite3_errmsg(db));
  REQUIRE(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK);
  std::vector<std::string> rows;
  while (sqlite3_step(stmt) == SQLITE_ROW) {
    std::string row;
    for (int c = 0; c < sqlite3_column_count(stmt); ++c) {
      if (c) row += "|";
      switch (sqlite3_column_type(stmt, c)) {
        case SQLITE_NULL: row += "NULL"; break;
        case SQLITE_FLOAT: {
          char text[64];
          std::snprintf(text, sizeof text, "%.17g", sqlite3_column_double(stmt, c));
          row += text;
          break;
        }
        default: row += reinterpret_cast<const char*>(sqlite3_column_text(stmt, c));
      }
    }
    rows.push_back(row);
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return rows;
}

// Everything a run stored that must not depend on how it was executed: the plan, every result
// value and every score. Left out: ids, timestamps, latencies and audit sequence numbers.
inline std::map<std::string, std::vector<std::string>> stored_results(const std::filesystem::path& store) {
  const std::string run = "(SELECT run_key FROM runs r WHERE r.id = t.run_id)";
  return {
      {"runs", query_rows(store, "SELECT run_key, status FROM runs ORDER BY run_key")},
      {"requests", query_rows(store, "SELECT " + run + ", task, item_id, request_index, plan_order, prompt_hash, request "
                                     "FROM requests t ORDER BY 1, plan_order")},
      {"results", query_rows(store, "SELECT " + run + ", task, item_id, request_index, prompt_hash, logprob, is_greedy, "
                                    "n_tokens, response_text, finish_reason FROM results t ORDER BY 1, 2, 3, 4")},
      {"item_scores", query_rows(store, "SELECT " + run + ", task, item_id, metric, value FROM item_scores t ORDER BY 1, 2, 3, 4")},
      {"task_metrics", query_rows(store, "SELECT " + run + ", task, metric, value, stderr, n FROM task_metrics t ORDER BY 1, 2, 3")},
  };
}

inline void write_text(const std::filesystem::path& path, const std::string& text) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

// `run` of `suite` for `submission` into `store` (paths quoted).
inline std::string run_args(const std::filesystem::path& suite, const std::filesystem::path& submission,
                            const std::filesystem::path& store) {
  return "run --suite " + shell_quote(suite.string()) + " --submission " + shell_quote(submission.string()) +
         " --store " + shell_quote(store.string());
}

inline std::string smoke_args(const std::filesystem::path& store, const std::string& extra = "") {
  return run_args(source_dir() / "configs/smoke.yaml", source_dir() / "configs/submissions/smollm2.yaml", store) +
         " --device cpu " + extra;
}

}  // namespace dokpa::test
