#include "harness/prompt/record_preprocessor.h"

#include <map>
#include <mutex>

#include "common/error.h"

namespace dokpa {
namespace {

struct Registry {
  std::mutex mutex;
  std::map<std::string, RecordPreprocessor, std::less<>> by_name;  // ordered: names come out sorted
};

Registry& registry() {
  static Registry instance;
  return instance;
}

}  // namespace

void register_record_preprocessor(RecordPreprocessor preprocessor) {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  auto found = r.by_name.find(preprocessor.name);
  if (found != r.by_name.end()) {
    if (found->second.apply == preprocessor.apply) return;  // registering twice is harmless
    throw Error("record preprocessors", "'" + preprocessor.name + "' is registered twice");
  }
  r.by_name.emplace(preprocessor.name, std::move(preprocessor));
}

const RecordPreprocessor* find_record_preprocessor(std::string_view name) {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  auto found = r.by_name.find(name);
  return found == r.by_name.end() ? nullptr : &found->second;
}

std::vector<std::string> record_preprocessor_names() {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  std::vector<std::string> names;
  for (const auto& entry : r.by_name) names.push_back(entry.first);
  return names;
}

}  // namespace dokpa
