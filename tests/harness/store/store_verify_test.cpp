// verify(): the audit chain catches any edit made behind the store's back.
#include "tests/harness/store/store_test_support.h"

using namespace dokpa;
using namespace dokpa::test;

namespace {

// A store with one run: 5 items x 2 requests in 3 result batches, and scores.
std::unique_ptr<ResultStore> filled_store(const std::filesystem::path& path) {
  auto store = open_result_store(path);
  int64_t run = store->begin_run(sample_run_start(*store)).id;
  auto requests = sample_requests(5, 2);
  store->put_requests(run, requests);
  store->put_results(run, results_for(requests, 0, 4));
  store->put_results(run, results_for(requests, 4, 8));
  store->put_results(run, results_for(requests, 8, 10));
  store->put_scores(run, std::vector<ItemScoreRow>{{"arc_ko", "item-0", "acc", 1.0}},
                    std::vector<TaskMetricRow>{{"arc_ko", "acc", 0.2, 0.1, 5}});
  return store;
}

}  // namespace

TEST_CASE("verify passes on an untouched store", "[store][verify]") {
  auto path = scratch_dir("store-verify-clean") / "results.sqlite";
  auto store = filled_store(path);
  VerifyReport report = store->verify();
  REQUIRE(report.ok());
  REQUIRE(report.entries == 4);
  REQUIRE(report.head_hash == raw_query(path, "SELECT hash FROM audit ORDER BY seq DESC LIMIT 1"));
  REQUIRE(raw_query(path, "SELECT prev_hash FROM audit WHERE seq = 1") == std::string(64, '0'));
  // Reopening recomputes the same chain.
  store.reset();
  REQUIRE(open_result_store(path)->verify().head_hash == report.head_hash);
}

TEST_CASE("verify names the exact result row edited with the sqlite3 shell", "[store][verify]") {
  auto path = scratch_dir("store-verify-edit") / "results.sqlite";
  auto store = filled_store(path);
  raw_exec(path, "UPDATE results SET logprob = -0.01 WHERE item_id = 'item-2' AND request_index = 1");
  VerifyReport report = store->verify();
  REQUIRE_FALSE(report.ok());
  REQUIRE(report.problems.size() == 1);
  INFO(report.problems[0].message);
  REQUIRE(report.problems[0].seq == 2);  // item-2 was in the second batch
  REQUIRE(report.problems[0].run_id == 1);
  REQUIRE(report.problems[0].message.find(R"(results row ["arc_ko","item-2",1] was changed)") != std::string::npos);
}

TEST_CASE("verify catches deleted, inserted and re-keyed rows", "[store][verify]") {
  auto path = scratch_dir("store-verify-rows") / "results.sqlite";
  auto store = filled_store(path);
  SECTION("a deleted result") {
    raw_exec(path, "DELETE FROM results WHERE item_id = 'item-4' AND request_index = 0");
    auto report = store->verify();
    REQUIRE(report.problems.size() == 1);
    REQUIRE(report.problems[0].message.find(R"(["arc_ko","item-4",0] was deleted)") != std::string::npos);
  }
  SECTION("a result added to an existing batch") {
    raw_exec(path,
             "INSERT INTO requests VALUES (1, 'arc_ko', 'item-9', 0, 99, 'h', '{}');"
             "INSERT INTO results VALUES (1, 'arc_ko', 'item-9', 0, 'h', -1, 1, 1, NULL, NULL, 1, 3, 1)");
    auto report = store->verify();
    REQUIRE(report.problems.size() == 1);
    REQUIRE(report.problems[0].message.find("item-9") != std::string::npos);
  }
  SECTION("a changed task metric") {
    raw_exec(path, "UPDATE task_metrics SET value = 0.9");
    auto report = store->verify();
    REQUIRE(report.problems.size() == 1);
    REQUIRE(report.problems[0].seq == 4);
    REQUIRE(report.problems[0].message.find(R"(["task_metrics","arc_ko","acc"] was changed)") != std::string::npos);
  }
  SECTION("a result pointed at no audit entry") {
    raw_exec(path,
             "PRAGMA foreign_keys = OFF; UPDATE results SET audit_seq = 77 WHERE item_id = 'item-0' "
             "AND request_index = 0");
    auto report = store->verify();
    REQUIRE(report.problems.size() == 2);  // missing from its batch, and covered by nothing
    REQUIRE(report.problems[0].message.find("was deleted") != std::string::npos);
    REQUIRE(report.problems[1].message.find("covered by no audit entry") != std::string::npos);
  }
}

TEST_CASE("the audit table is append-only and edits to it break the chain", "[store][verify]") {
  auto path = scratch_dir("store-verify-audit") / "results.sqlite";
  auto store = filled_store(path);
  auto [rc, message] = raw_try_exec(path, "UPDATE audit SET kind = 'scores' WHERE seq = 1");
  REQUIRE(rc != SQLITE_OK);
  REQUIRE(message == "audit is append-only");
  REQUIRE(raw_try_exec(path, "DELETE FROM audit WHERE seq = 4").second == "audit is append-only");
  // Someone drops the guard and rewrites an entry's payload hash: the chain breaks there.
  raw_exec(path, "DROP TRIGGER audit_no_update; UPDATE audit SET payload_sha256 = 'x' WHERE seq = 2");
  auto report = store->verify();
  REQUIRE_FALSE(report.ok());
  REQUIRE(report.problems[0].seq == 2);
  REQUIRE(report.problems[0].message.find("hash does not match") != std::string::npos);
}

namespace {

// Runs SQL through the sqlite3 shell, as an evaluator (or someone tampering) would.
void sqlite3_shell(const std::filesystem::path& path, const std::string& sql) {
  std::string command = "sqlite3 " + shell_quote(path.string()) + " " + shell_quote(sql);
  INFO(command);
  REQUIRE(std::system(command.c_str()) == 0);
}

std::vector<std::string> problem_messages(ResultStore& store) {
  std::vector<std::string> messages;
  for (const VerifyProblem& problem : store.verify().problems) messages.push_back(problem.message);
  return messages;
}

}  // namespace

TEST_CASE("verify names every row edited, deleted, inserted or reordered with the sqlite3 shell", "[store][verify]") {
  auto path = scratch_dir("store-verify-shell") / "results.sqlite";
  auto store = filled_store(path);
  const std::string batch2 = "audit entry 2 (results of run 1): results row ";
  SECTION("two rows of one batch edited: both named") {
    sqlite3_shell(path, "UPDATE results SET n_tokens = 9 WHERE item_id IN ('item-2', 'item-3') AND request_index = 0");
    CHECK(problem_messages(*store) ==
          std::vector<std::string>{batch2 + R"(["arc_ko","item-2",0] was changed after it was committed)",
                                   batch2 + R"(["arc_ko","item-3",0] was changed after it was committed)"});
  }
  SECTION("a row deleted") {
    sqlite3_shell(path, "DELETE FROM results WHERE item_id = 'item-3' AND request_index = 1");
    CHECK(problem_messages(*store) == std::vector<std::string>{batch2 + R"(["arc_ko","item-3",1] was deleted)"});
  }
  SECTION("a row inserted into a committed batch") {
    sqlite3_shell(path,
                  "INSERT INTO requests VALUES (1, 'arc_ko', 'item-7', 0, 70, 'h', '{}');"
                  "INSERT INTO results VALUES (1, 'arc_ko', 'item-7', 0, 'h', -0.5, 1, 1, NULL, NULL, 1, 2, 1)");
    CHECK(problem_messages(*store) ==
          std::vector<std::string>{batch2 + R"(["arc_ko","item-7",0] was added without an audit entry)"});
  }
  SECTION("two answers swapped between their requests") {
    sqlite3_shell(path,
                  "CREATE TEMP TABLE old AS SELECT request_index, logprob FROM results WHERE item_id = 'item-2';"
                  "UPDATE results SET logprob = (SELECT logprob FROM old WHERE old.request_index = 1 - "
                  "results.request_index) WHERE item_id = 'item-2'");
    CHECK(problem_messages(*store) ==
          std::vector<std::string>{batch2 + R"(["arc_ko","item-2",0] was changed after it was committed)",
                                   batch2 + R"(["arc_ko","item-2",1] was changed after it was committed)"});
  }
  SECTION("audit entries reordered") {
    sqlite3_shell(path,
                  "DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete; PRAGMA foreign_keys = OFF;"
                  "UPDATE audit SET seq = -2 WHERE seq = 2; UPDATE audit SET seq = 2 WHERE seq = 3;"
                  "UPDATE audit SET seq = 3 WHERE seq = -2;"
                  "UPDATE results SET audit_seq = CASE audit_seq WHEN 2 THEN 3 WHEN 3 THEN 2 ELSE audit_seq END");
    auto messages = problem_messages(*store);
    REQUIRE(messages.size() >= 1);
    CHECK(messages[0] ==
          "audit entry 2: prev_hash does not match the hash of the entry before it (an entry was removed or reordered)");
  }
  SECTION("rows rewritten in another physical order: same content, nothing to report") {
    sqlite3_shell(path,
                  "PRAGMA foreign_keys = OFF; CREATE TEMP TABLE copy AS SELECT * FROM results ORDER BY item_id DESC;"
                  "DELETE FROM results; INSERT INTO results SELECT * FROM copy");
    CHECK(problem_messages(*store).empty());
  }
}
