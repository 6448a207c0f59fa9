// Schema creation, versioning and forward migrations of the result store.
#include <fstream>

#include "common/error.h"
#include "harness/store/schema.h"
#include "tests/harness/store/store_test_support.h"

using namespace dokpa;
using namespace dokpa::test;

TEST_CASE("a new store is created with the current schema version", "[store][schema]") {
  auto path = scratch_dir("store-schema-new") / "results.sqlite";
  auto store = open_result_store(path);
  REQUIRE(store->path() == path);
  REQUIRE(result_store_schema_version() >= 2);
  REQUIRE(raw_query(path, "PRAGMA user_version") == std::to_string(result_store_schema_version()));
  REQUIRE(raw_query(path, "PRAGMA journal_mode") == "wal");
  for (const char* table : {"submissions", "checkpoint_files", "suites", "data_files", "runs", "requests", "results",
                            "item_scores", "task_metrics", "audit", "run_attempts"}) {
    INFO(table);
    REQUIRE(raw_query(path, std::string("SELECT count(*) FROM sqlite_schema WHERE type='table' AND name='") + table +
                                "'") == "1");
  }
}

TEST_CASE("reopening a store is idempotent and keeps its rows", "[store][schema]") {
  auto path = scratch_dir("store-schema-reopen") / "results.sqlite";
  int64_t run_id = 0;
  {
    auto store = open_result_store(path);
    run_id = store->begin_run(sample_run_start(*store)).id;
  }
  for (int i = 0; i < 3; ++i) {
    auto store = open_result_store(path);
    REQUIRE(store->list_runs().size() == 1);
    REQUIRE(store->list_runs()[0].id == run_id);
  }
  REQUIRE(raw_query(path, "PRAGMA user_version") == std::to_string(result_store_schema_version()));
}

TEST_CASE("an empty version-0 file is migrated to the current schema", "[store][schema]") {
  auto path = scratch_dir("store-schema-v0") / "results.sqlite";
  std::ofstream(path).close();  // zero bytes: SQLite treats it as an empty database
  REQUIRE(std::filesystem::file_size(path) == 0);
  auto store = open_result_store(path);
  REQUIRE(raw_query(path, "PRAGMA user_version") == std::to_string(result_store_schema_version()));
  RunRecord run = store->begin_run(sample_run_start(*store));
  REQUIRE(run.id > 0);
}

TEST_CASE("a version-1 store is migrated forward and its runs backfilled", "[store][schema]") {
  auto path = scratch_dir("store-schema-v1") / "results.sqlite";
  const auto& v1 = store_detail::migrations()[0];
  REQUIRE(v1.version == 1);
  raw_exec(path, std::string(v1.sql) +
                     "INSERT INTO submissions VALUES (1, 't', 'm', 'llm', '/c', 'abc', '', '2025-01-01');"
                     "INSERT INTO suites VALUES (1, 'smoke', 'h', 'text');"
                     "INSERT INTO runs VALUES (1, 1, 1, 'key', 'failed', '{}', NULL, '2025-01-01', NULL);"
                     "PRAGMA application_id = 1685023600; PRAGMA user_version = 1;");
  auto store = open_result_store(path);
  REQUIRE(raw_query(path, "PRAGMA user_version") == std::to_string(result_store_schema_version()));
  REQUIRE(raw_query(path, "SELECT attempt || ',' || provenance FROM run_attempts WHERE run_id = 1") == "1,{}");
  // The migrated run resumes as attempt 2.
  RunRecord run = store->begin_run({1, 1, "key", "{}", {}});
  REQUIRE(run.resumed);
  REQUIRE(run.attempt == 2);
  REQUIRE(run.status == RunStatus::Failed);
}

TEST_CASE("a store newer than the code is refused with a clear error", "[store][schema]") {
  auto path = scratch_dir("store-schema-newer") / "results.sqlite";
  { open_result_store(path); }
  int newer = result_store_schema_version() + 1;
  raw_exec(path, "PRAGMA user_version = " + std::to_string(newer));
  try {
    open_result_store(path);
    FAIL("a newer store was opened");
  } catch (const Error& error) {
    std::string message = error.what();
    INFO(message);
    REQUIRE(error.source() == path.string());
    REQUIRE(message.find("schema version " + std::to_string(newer) + " is newer") != std::string::npos);
  }
  // Nothing was changed by the refusal.
  REQUIRE(raw_query(path, "PRAGMA user_version") == std::to_string(newer));
}

TEST_CASE("an SQLite file of another program and a non-database file are refused", "[store][schema]") {
  auto dir = scratch_dir("store-schema-foreign");
  raw_exec(dir / "other.sqlite", "CREATE TABLE notes (text TEXT)");
  REQUIRE_THROWS_WITH(open_result_store(dir / "other.sqlite"),
                      Catch::Contains("not a dokpa store") && Catch::Contains("other.sqlite"));
  std::ofstream(dir / "text.sqlite") << "this is not a database, just some text that is long enough to be a header";
  REQUIRE_THROWS_WITH(open_result_store(dir / "text.sqlite"), Catch::Contains("text.sqlite"));
  REQUIRE_THROWS_WITH(open_result_store(dir / "missing-folder" / "x.sqlite"), Catch::Contains("missing-folder"));
}
