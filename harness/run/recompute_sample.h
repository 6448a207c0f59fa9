#pragma once
// Which items `dokpa verify --recompute N` re-runs: a seeded draw over the run's items.
//
// An item is every planned request of one (task, item_id): all choices of a multiple-choice
// item (its prediction needs them all), the one generation of a generate item, every rotation of
// a circular one. Items are numbered in plan order, 0..M-1, counting only items whose every
// request has a stored result. The draw is CPython's random.Random(seed).sample(range(M), N)
// (common/python_random.h), so `python3 -c "import random; print(sorted(random.Random(K).sample(
// range(M), N)))"` names the same items; N >= M takes every item. The drawn items are then
// re-run and reported in plan order.
#include <cstddef>
#include <cstdint>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "harness/store/result_store.h"

namespace dokpa {

struct StoredItem {
  std::string task;
  std::string item_id;
  std::vector<size_t> requests;  // indices into the run's requests(), in plan order
};

// The run's items in plan order, from its planned requests (store.requests(run), plan order).
std::vector<StoredItem> stored_items(std::span<const RequestRow> requests);

// Those of `items` whose every request is in `answered`.
std::vector<StoredItem> answered_items(std::span<const StoredItem> items, std::span<const RequestRow> requests,
                                       const std::set<RequestKey>& answered);
// stored_items(requests), then answered_items.
std::vector<StoredItem> answered_items(std::span<const RequestRow> requests, const std::set<RequestKey>& answered);

// Indices of the drawn items (0..item_count-1), ascending: random.Random(seed).sample(range(item_count),
// min(count, item_count)), sorted.
std::vector<size_t> draw_items(size_t item_count, size_t count, uint64_t seed);

}  // namespace dokpa
