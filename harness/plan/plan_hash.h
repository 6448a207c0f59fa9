#pragma once
// The canonical serialisations behind PlannedRequest::prompt_hash and Plan::hash. Each value is
// appended with Sha256::add_field (length-prefixed), so field boundaries cannot shift.
//
// request_hash: "dokpa-request-v1", type ("multiple_choice" | "generate"), then
//   multiple_choice: context, continuation
//   generate:        prompt, number of stop strings, each stop string, max_tokens (decimal)
// plan_hash: "dokpa-plan-v1", then per task in order: name, type, metric count and names, item
//   count; per item: item_id, gold_index (decimal), gold_text, choice count and choices,
//   request_count; then per request of the item: request_index (decimal), prompt_hash.
// So the plan hash changes when any prompt, id, choice or gold answer changes, and nothing else
// (the suite's description or data_root do not reach it).
#include <string>

#include "harness/plan/plan.h"

namespace dokpa {

std::string request_hash(const PlannedRequest& request);
std::string plan_hash(const Plan& plan);

}  // namespace dokpa
