#pragma once
// Row and column surgery on a KVCache, for continuous batching: sequences join and leave a
// decoding batch while the others keep their cached keys and values.
//
// Layout kept by these helpers: every row's real keys form a suffix of the columns (the row is
// "right-aligned", padding on the left). Keys carry their RoPE rotation already and padding is
// masked by key_valid, so where a key sits in the cache does not change what it contributes.
#include <ATen/ATen.h>

#include <cstdint>
#include <vector>

#include "runners/native/llama_model.h"

namespace dokpa {

// Rows `rows` of `cache`, in that order; an empty list gives an empty cache.
KVCache keep_cache_rows(const KVCache& cache, const std::vector<int64_t>& rows);

// Appends the rows of `fresh` (a prompt pass whose row i has real keys in its first
// `fresh_lengths[i]` columns, right padding after) to `batch` as new last rows, right-aligned.
// The wider of the two sets the width; the other side gets invalid columns on the left.
void append_cache_rows(KVCache& batch, const KVCache& fresh, const std::vector<int64_t>& fresh_lengths);

// Removes the columns that are invalid in every row, so the cache is only as wide as its
// longest row however many sequences have come and gone.
void compact_cache_columns(KVCache& cache);

}  // namespace dokpa
