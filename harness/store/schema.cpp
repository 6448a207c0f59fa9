#include "harness/store/schema.h"

#include <fmt/format.h>

#include "common/error.h"

namespace dokpa::store_detail {

namespace {

// 'dokp': marks the file as a dokpa store for `file(1)` and for our own check below.
constexpr int kApplicationId = 0x646f6b70;

// Version 1: the core tables. Results, item scores and task metrics each name the audit entry
// that committed them (audit_seq), so `verify` can recompute every entry from the rows.
constexpr const char* kSchemaV1 = R"sql(
CREATE TABLE submissions (
  id INTEGER PRIMARY KEY,
  team TEXT NOT NULL,
  model TEXT NOT NULL,
  kind TEXT NOT NULL,
  checkpoint_path TEXT NOT NULL,
  checkpoint_sha256 TEXT NOT NULL,
  manifest_yaml TEXT NOT NULL,
  created_at TEXT NOT NULL,
  UNIQUE (team, model, checkpoint_sha256)
);
CREATE TABLE checkpoint_files (
  submission_id INTEGER NOT NULL REFERENCES submissions(id),
  path TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  bytes INTEGER NOT NULL,
  PRIMARY KEY (submission_id, path)
);
CREATE TABLE suites (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  hash TEXT NOT NULL UNIQUE,
  canonical_text TEXT NOT NULL
);
CREATE TABLE runs (
  id INTEGER PRIMARY KEY,
  submission_id INTEGER NOT NULL REFERENCES submissions(id),
  suite_id INTEGER NOT NULL REFERENCES suites(id),
  run_key TEXT NOT NULL UNIQUE,
  status TEXT NOT NULL CHECK (status IN ('running', 'complete', 'failed')),
  provenance TEXT NOT NULL,
  timings TEXT,
  started_at TEXT NOT NULL,
  finished_at TEXT
);
CREATE TABLE data_files (
  run_id INTEGER NOT NULL REFERENCES runs(id),
  position INTEGER NOT NULL,
  path TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  PRIMARY KEY (run_id, position)
);
CREATE TABLE requests (
  run_id INTEGER NOT NULL REFERENCES runs(id),
  task TEXT NOT NULL,
  item_id TEXT NOT NULL,
  request_index INTEGER NOT NULL,
  plan_order INTEGER NOT NULL,
  prompt_hash TEXT NOT NULL,
  request TEXT NOT NULL,
  PRIMARY KEY (run_id, task, item_id, request_index),
  UNIQUE (run_id, plan_order)
);
CREATE TABLE audit (
  seq INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES runs(id),
  kind TEXT NOT NULL CHECK (kind IN ('results', 'scores')),
  rows TEXT NOT NULL,
  payload_sha256 TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL UNIQUE,
  created_at TEXT NOT NULL
);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
  BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
  BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
CREATE TABLE results (
  run_id INTEGER NOT NULL,
  task TEXT NOT NULL,
  item_id TEXT NOT NULL,
  request_index INTEGER NOT NULL,
  prompt_hash TEXT NOT NULL,
  logprob REAL,
  is_greedy INTEGER,
  n_tokens INTEGER NOT NULL,
  response_text TEXT,
  finish_reason TEXT,
  latency_ms REAL NOT NULL,
  audit_seq INTEGER NOT NULL REFERENCES audit(seq) DEFERRABLE INITIALLY DEFERRED,
  PRIMARY KEY (run_id, task, item_id, request_index),
  FOREIGN KEY (run_id, task, item_id, request_index)
    REFERENCES requests(run_id, task, item_id, request_index)
);
CREATE INDEX results_by_audit ON results(audit_seq);
CREATE TABLE item_scores (
  run_id INTEGER NOT NULL REFERENCES runs(id),
  task TEXT NOT NULL,
  item_id TEXT NOT NULL,
  metric TEXT NOT NULL,
  value REAL NOT NULL,
  audit_seq INTEGER NOT NULL REFERENCES audit(seq) DEFERRABLE INITIALLY DEFERRED,
  PRIMARY KEY (run_id, task, item_id, metric)
);
CREATE INDEX item_scores_by_audit ON item_scores(audit_seq);
CREATE TABLE task_metrics (
  run_id INTEGER NOT NULL REFERENCES runs(id),
  task TEXT NOT NULL,
  metric TEXT NOT NULL,
  value REAL NOT NULL,
  stderr REAL,
  n INTEGER NOT NULL,
  audit_seq INTEGER NOT NULL REFERENCES audit(seq) DEFERRABLE INITIALLY DEFERRED,
  PRIMARY KEY (run_id, task, metric)
);
CREATE INDEX task_metrics_by_audit ON task_metrics(audit_seq);
)sql";

// Version 2: one row per session that worked on a run (the first start and every resume),
// with that session's provenance, so a run resumed on another host says so.
constexpr const char* kSchemaV2 = R"sql(
CREATE TABLE run_attempts (
  run_id INTEGER NOT NULL REFERENCES runs(id),
  attempt INTEGER NOT NULL,
  started_at TEXT NOT NULL,
  provenance TEXT NOT NULL,
  PRIMARY KEY (run_id, attempt)
);
INSERT INTO run_attempts (run_id, attempt, started_at, provenance)
  SELECT id, 1, started_at, provenance FROM runs;
)sql";

// Version 3: how many tries each result took (an HTTP runner retries on 429, 5xx and broken
// connections). Timing, like latency_ms: not part of the audited payload.
constexpr const char* kSchemaV3 = R"sql(
ALTER TABLE results ADD COLUMN attempts INTEGER NOT NULL DEFAULT 1;
)sql";

constexpr Migration kMigrations[] = {
    {1, "core tables and audit chain", kSchemaV1},
    {2, "run_attempts: one row per start or resume of a run", kSchemaV2},
    {3, "results.attempts: tries per result", kSchemaV3},
};

int read_pragma_int(Database& db, const char* pragma) {
  Statement statement(db, fmt::format("PRAGMA {}", pragma));
  return statement.step() ? static_cast<int>(statement.int64(0)) : 0;
}

void refuse_newer(Database& db, int version) {
  if (version > latest_schema_version())
    throw Error(db.path(), fmt::format("store schema version {} is newer than this dokpa understands (up to {}); "
                                       "use a newer dokpa to open it",
                                       version, latest_schema_version()));
}

}  // namespace

std::span<const Migration> migrations() { return kMigrations; }
int latest_schema_version() { return kMigrations[std::size(kMigrations) - 1].version; }

void check_readable_schema(Database& db) {
  int version = read_pragma_int(db, "user_version");
  refuse_newer(db, version);
  if (version == 0) {
    Statement objects(db, "SELECT count(*) FROM sqlite_schema");
    objects.step();
    throw Error(db.path(), objects.int64(0) == 0 ? "not a dokpa store: an empty SQLite database"
                                                 : "not a dokpa store: an SQLite database with no dokpa schema version");
  }
  if (version < latest_schema_version())
    throw Error(db.path(), fmt::format("store schema version {} is older than this dokpa's ({}) and this command only "
                                       "reads: migrating needs write access (dokpa run or dokpa merge --into migrate "
                                       "a store they open; use a copy to keep the original)",
                                       version, latest_schema_version()));
}

void migrate(Database& db) {
  int version = read_pragma_int(db, "user_version");
  refuse_newer(db, version);
  if (version == latest_schema_version()) return;  // the usual case: no write lock taken

  Transaction transaction(db);
  version = read_pragma_int(db, "user_version");  // under the lock now
  refuse_newer(db, version);
  if (version == 0) {
    Statement objects(db, "SELECT count(*) FROM sqlite_schema");
    objects.step();
    if (objects.int64(0) != 0 && read_pragma_int(db, "application_id") != kApplicationId)
      throw Error(db.path(), "not a dokpa store: an SQLite database with other tables and no dokpa schema version");
    db.exec(fmt::format("PRAGMA application_id = {}", kApplicationId));
  }
  for (const Migration& migration : kMigrations) {
    if (migration.version <= version) continue;
    try {
      db.exec(migration.sql);
    } catch (const Error& error) {
      throw Error(db.path(), fmt::format("migration to schema version {} ({}) failed: {}", migration.version,
                                         migration.summary, error.what()));
    }
    db.exec(fmt::format("PRAGMA user_version = {}", migration.version));
  }
  transaction.commit();
}

}  // namespace dokpa::store_detail
