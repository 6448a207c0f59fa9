#include "harness/run/recompute_sample.h"

#include <algorithm>
#include <map>
#include <utility>

#include "common/python_random.h"

namespace dokpa {

std::vector<StoredItem> stored_items(std::span<const RequestRow> requests) {
  // An item's requests are contiguous in a plan; the map only guards against a store where they are not.
  std::vector<StoredItem> items;
  std::map<std::pair<std::string, std::string>, size_t> position;
  for (size_t i = 0; i < requests.size(); ++i) {
    const RequestKey& key = requests[i].key;
    auto [it, added] = position.try_emplace({key.task, key.item_id}, items.size());
    if (added) items.push_back({key.task, key.item_id, {}});
    items[it->second].requests.push_back(i);
  }
  return items;
}

std::vector<StoredItem> answered_items(std::span<const StoredItem> items, std::span<const RequestRow> requests,
                                       const std::set<RequestKey>& answered) {
  std::vector<StoredItem> complete;
  for (const StoredItem& item : items) {
    bool all = std::all_of(item.requests.begin(), item.requests.end(),
                           [&](size_t i) { return answered.count(requests[i].key) > 0; });
    if (all) complete.push_back(item);
  }
  return complete;
}

std::vector<StoredItem> answered_items(std::span<const RequestRow> requests, const std::set<RequestKey>& answered) {
  return answered_items(stored_items(requests), requests, answered);
}

std::vector<size_t> draw_items(size_t item_count, size_t count, uint64_t seed) {
  PythonRandom random(seed);
  std::vector<size_t> drawn = random.sample(item_count, std::min(count, item_count));
  std::sort(drawn.begin(), drawn.end());
  return drawn;
}

}  // namespace dokpa
