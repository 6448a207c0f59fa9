#pragma once
// The store schema as a list of forward migrations (like inspect_ai's versioned EvalLog):
// migration N takes a version N-1 store to version N. PRAGMA user_version holds the version.
// Never edit a released migration; append a new one.
#include <span>

#include "harness/store/sqlite_db.h"

namespace dokpa::store_detail {

struct Migration {
  int version;  // user_version after this step
  const char* summary;
  const char* sql;
};

std::span<const Migration> migrations();
int latest_schema_version();

// Brings the store to the latest version in one write transaction (re-checking the version
// under the lock, since another process may have migrated it meanwhile). Refuses a store
// newer than this code and an SQLite file that is not a dokpa store.
void migrate(Database& db);
// For a read-only open: refuses what migrate() would refuse, and a store that would need migrating.
void check_readable_schema(Database& db);

}  // namespace dokpa::store_detail
