#include "harness/run/plan_chunks.h"

#include <algorithm>

namespace dokpa {

std::vector<ItemChunk> plan_chunks(std::span<const size_t> items_per_task, size_t chunk_items) {
  chunk_items = std::max<size_t>(chunk_items, 1);
  std::vector<ItemChunk> chunks;
  for (size_t task = 0; task < items_per_task.size(); ++task)
    for (size_t begin = 0; begin < items_per_task[task]; begin += chunk_items)
      chunks.push_back({chunks.size(), task, begin, std::min(items_per_task[task], begin + chunk_items)});
  return chunks;
}

}  // namespace dokpa
