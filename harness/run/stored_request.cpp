#include "harness/run/stored_request.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "common/error.h"
#include "harness/plan/plan_hash.h"

namespace dokpa {

std::string stored_request_json(const PlannedRequest& request) {
  nlohmann::json j;
  j["type"] = to_string(request.type);
  if (request.type == OutputType::MultipleChoice) {
    j["context"] = request.context;
    j["continuation"] = request.continuation;
  } else {
    j["prompt"] = request.prompt;
    j["stop"] = request.stop;
    j["max_tokens"] = request.max_tokens;
  }
  return j.dump();
}

PlannedRequest parse_stored_request(const RequestRow& row, const std::string& source) {
  const std::string where =
      fmt::format("task '{}' item '{}' request {}", row.key.task, row.key.item_id, row.key.request_index);
  PlannedRequest request;
  request.task = row.key.task;
  request.item_id = row.key.item_id;
  request.request_index = row.key.request_index;
  request.prompt_hash = row.prompt_hash;
  try {
    nlohmann::json j = nlohmann::json::parse(row.request_json);
    const std::string type = j.at("type").get<std::string>();
    if (type == to_string(OutputType::MultipleChoice)) {
      request.type = OutputType::MultipleChoice;
      request.context = j.at("context").get<std::string>();
      request.continuation = j.at("continuation").get<std::string>();
    } else if (type == to_string(OutputType::Generate)) {
      request.type = OutputType::Generate;
      request.prompt = j.at("prompt").get<std::string>();
      request.stop = j.at("stop").get<std::vector<std::string>>();
      request.max_tokens = j.at("max_tokens").get<int>();
    } else {
      throw Error(source, fmt::format("{}: unknown request type '{}'", where, type));
    }
  } catch (const nlohmann::json::exception& e) {
    throw Error(source, fmt::format("{}: the stored request is not a dokpa request ({})", where, e.what()));
  }
  if (request_hash(request) != row.prompt_hash)
    throw Error(source, fmt::format("{}: the stored request text does not hash to its prompt hash {}; it was "
                                    "edited after the run planned it",
                                    where, row.prompt_hash));
  return request;
}

}  // namespace dokpa
