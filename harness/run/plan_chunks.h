#pragma once
// Which items of a plan share a runner call: the one definition `dokpa run` (run_suite.cpp)
// executes and `dokpa verify --recompute` (recompute.cpp) replays.
//
// A chunk is a fixed slice of `chunk_items` consecutive items of one task: task t's items
// [0, k), [k, 2k), ... (the last slice shorter), numbered 0, 1, ... across the plan in task order.
// `dokpa run` sends the pending requests of one chunk, in plan order, to the runner in one
// loglikelihood or generate call; `--shard i/N` runs chunk c when c mod N = i - 1. The run
// records k as its runner setting `chunk_items`.
#include <cstddef>
#include <span>
#include <vector>

namespace dokpa {

struct ItemChunk {
  size_t number = 0;  // across the plan
  size_t task = 0;    // index of its task, in plan order
  size_t begin = 0;   // its items [begin, end) of that task
  size_t end = 0;
};

// The chunks of a plan whose tasks have items_per_task[t] items (chunk_items 0 counts as 1).
std::vector<ItemChunk> plan_chunks(std::span<const size_t> items_per_task, size_t chunk_items);

}  // namespace dokpa
