#include "harness/plan/plan_hash.h"

#include "common/sha256.h"

namespace dokpa {

const char* to_string(OutputType type) {
  switch (type) {
    case OutputType::MultipleChoice: return "multiple_choice";
    case OutputType::Generate: return "generate";
    case OutputType::GenerateChoice: return "generate_choice";
  }
  return "?";
}

std::string request_hash(const PlannedRequest& request) {
  Sha256 hash;
  hash.add_field("dokpa-request-v1");
  hash.add_field(to_string(request.type));
  if (request.type == OutputType::MultipleChoice) {
    hash.add_field(request.context);
    hash.add_field(request.continuation);
  } else {
    hash.add_field(request.prompt);
    hash.add_field(std::to_string(request.stop.size()));
    for (const std::string& stop : request.stop) hash.add_field(stop);
    hash.add_field(std::to_string(request.max_tokens));
  }
  return hash.hex_digest();
}

std::string plan_hash(const Plan& plan) {
  Sha256 hash;
  hash.add_field("dokpa-plan-v1");
  for (const PlannedTask& task : plan.tasks) {
    hash.add_field(task.name);
    hash.add_field(to_string(task.type));
    hash.add_field(std::to_string(task.metrics.size()));
    for (const std::string& metric : task.metrics) hash.add_field(metric);
    // How answers are judged is part of what the plan means (older plans hash as before).
    if (task.extract != AnswerExtract::None || task.compare != AnswerCompare::Exact || task.circular) {
      hash.add_field("judging");
      hash.add_field(std::to_string(static_cast<int>(task.extract)));
      hash.add_field(std::to_string(static_cast<int>(task.compare)));
      hash.add_field(task.circular ? "circular" : "single");
    }
    hash.add_field(std::to_string(task.items.size()));
    for (const PlannedItem& item : task.items) {
      hash.add_field(item.item_id);
      hash.add_field(std::to_string(item.gold_index));
      hash.add_field(item.gold_text);
      hash.add_field(std::to_string(item.choices.size()));
      for (const std::string& choice : item.choices) hash.add_field(choice);
      hash.add_field(std::to_string(item.request_count));
      for (size_t i = 0; i < item.request_count; ++i) {
        const PlannedRequest& request = plan.requests.at(item.first_request + i);
        hash.add_field(std::to_string(request.request_index));
        hash.add_field(request.prompt_hash);
      }
    }
  }
  for (const PlannedGroup& group : plan.groups) {
    hash.add_field("group");
    hash.add_field(group.name);
    hash.add_field(std::to_string(group.tasks.size()));
    for (const std::string& task : group.tasks) hash.add_field(task);
    hash.add_field(std::to_string(group.metrics.size()));
    for (const std::string& metric : group.metrics) hash.add_field(metric);
    hash.add_field(group.macro ? "macro" : "-");
    hash.add_field(group.micro ? "micro" : "-");
  }
  return hash.hex_digest();
}

}  // namespace dokpa
