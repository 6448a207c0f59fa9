#pragma once
// The store's `requests.request` JSON (docs/store-schema.md) and its inverse: what `dokpa run`
// writes for each planned request, and what `dokpa verify --recompute` reads back to re-run it.
//
//   multiple choice: {"type": "multiple_choice", "context": ..., "continuation": ...}
//   generation:      {"type": "generate", "prompt": ..., "stop": [...], "max_tokens": N}
//
// Chat messages are not kept (the prompt is their rendering; the prompt hash covers the prompt).
#include <string>

#include "harness/plan/plan.h"
#include "harness/store/result_store.h"

namespace dokpa {

std::string stored_request_json(const PlannedRequest& request);

// The request of a stored row: key and prompt hash from the row, the rest from its JSON. Throws
// dokpa::Error(source) when the JSON is malformed or its request_hash() differs from the row's
// prompt hash (the stored request text is not what was hashed, and run, when it was planned).
PlannedRequest parse_stored_request(const RequestRow& row, const std::string& source);

}  // namespace dokpa
