#include "runners/native/kv_cache_ops.h"

#include <algorithm>

#include "common/error.h"

namespace dokpa {

namespace {

// x: (B, ...S on dim `dim`...) -> the same with `columns` zero columns prepended on `dim`.
at::Tensor pad_left(const at::Tensor& x, int64_t dim, int64_t columns) {
  if (columns == 0) return x;
  std::vector<int64_t> shape = x.sizes().vec();
  shape[static_cast<size_t>(dim)] = columns;
  return at::cat({at::zeros(shape, x.options()), x}, dim);
}

// fresh: (N, Hkv, P, D) with row i's real part in columns [0, lengths[i]) ->
// (N, Hkv, width, D) with that part moved to columns [width - lengths[i], width), zeros elsewhere.
at::Tensor right_align(const at::Tensor& fresh, const std::vector<int64_t>& lengths, int64_t width, int64_t dim) {
  std::vector<int64_t> shape = fresh.sizes().vec();
  shape[static_cast<size_t>(dim)] = width;
  at::Tensor aligned = at::zeros(shape, fresh.options());
  for (size_t i = 0; i < lengths.size(); ++i) {
    const int64_t row = static_cast<int64_t>(i), n = lengths[i];
    aligned[row].narrow(dim - 1, width - n, n).copy_(fresh[row].narrow(dim - 1, 0, n));
  }
  return aligned;
}

// Whether `cache` carries a position for every key (see KVCache::key_positions).
bool has_positions(const KVCache& cache) {
  return cache.key_positions.defined() && cache.key_positions.sizes() == cache.key_valid.sizes();
}

}  // namespace

KVCache keep_cache_rows(const KVCache& cache, const std::vector<int64_t>& rows) {
  if (rows.empty() || !cache.key_valid.defined()) return {};
  at::Tensor index = at::tensor(rows, at::kLong).to(cache.key_valid.device());
  return cache.select_rows(index);
}

void append_cache_rows(KVCache& batch, const KVCache& fresh, const std::vector<int64_t>& fresh_lengths) {
  if (fresh.key_valid.size(0) != static_cast<int64_t>(fresh_lengths.size()))
    throw Error("kv cache", "append_cache_rows: one length per fresh row is required");
  const int64_t longest = *std::max_element(fresh_lengths.begin(), fresh_lengths.end());
  const int64_t width = std::max(batch.length(), longest);
  KVCache aligned;
  for (size_t l = 0; l < fresh.keys.size(); ++l) {
    aligned.keys.push_back(right_align(fresh.keys[l], fresh_lengths, width, 2));  // (N, Hkv, W, D)
    aligned.values.push_back(right_align(fresh.values[l], fresh_lengths, width, 2));
  }
  aligned.key_valid = right_align(fresh.key_valid, fresh_lengths, width, 1);  // (N, W)
  if (has_positions(fresh)) aligned.key_positions = right_align(fresh.key_positions, fresh_lengths, width, 1);
  if (!batch.key_valid.defined() || batch.key_valid.size(0) == 0) {
    batch = std::move(aligned);
    return;
  }
  const int64_t grow = width - batch.length();
  for (size_t l = 0; l < batch.keys.size(); ++l) {
    batch.keys[l] = at::cat({pad_left(batch.keys[l], 2, grow), aligned.keys[l]}, 0);  // (B + N, Hkv, W, D)
    batch.values[l] = at::cat({pad_left(batch.values[l], 2, grow), aligned.values[l]}, 0);
  }
  // Positions travel only if both sides have them; otherwise the forward pass derives them.
  const bool positions = has_positions(batch) && aligned.key_positions.defined();
  batch.key_positions = positions ? at::cat({pad_left(batch.key_positions, 1, grow), aligned.key_positions}, 0)
                                  : at::Tensor();  // (B + N, W)
  batch.key_valid = at::cat({pad_left(batch.key_valid, 1, grow), aligned.key_valid}, 0);  // (B + N, W)
}

void compact_cache_columns(KVCache& cache) {
  if (!cache.key_valid.defined() || cache.key_valid.size(0) == 0) return;
  at::Tensor used = cache.key_valid.any(0);  // (S)
  const int64_t kept = used.sum().item<int64_t>();
  if (kept == cache.length()) return;
  at::Tensor columns = used.nonzero().squeeze(1);  // (S'), ascending: the order of keys is kept
  for (at::Tensor& k : cache.keys) k = k.index_select(2, columns);
  for (at::Tensor& v : cache.values) v = v.index_select(2, columns);
  if (has_positions(cache)) cache.key_positions = cache.key_positions.index_select(1, columns);
  cache.key_valid = cache.key_valid.index_select(1, columns);
}

}  // namespace dokpa
