#pragma once
// Fault injection for the crash-safety tests: a named place where the process may kill itself
// with SIGKILL, as an operator's `kill -9` or the OOM killer would, at an exact, repeatable point.
//
// DOKPA_CRASH_POINT=<name>:<n> makes the n-th pass through crash_point("<name>") raise SIGKILL
// (no destructors, no flushing, no SQLite rollback: the store must survive it on its own).
// Unset (every real run), a pass costs one branch on a value read once.
//
// Points: "load.tensor" (each weight tensor the native runner loads), "store.commit" (inside
// every store write transaction, just before COMMIT), "store.committed" (just after a COMMIT,
// i.e. between result batches).
#include <string_view>

namespace dokpa {

void crash_point(std::string_view name);

}  // namespace dokpa
