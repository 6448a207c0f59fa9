#pragma once
// Few-shot selection and the few-shot context layout.
//
// PRNG: splitmix64 (Steele, Lea & Flood 2014; the constants of Vigna's reference code), one
// generator per item, seeded with the first 8 bytes (big-endian) of
//   sha256(field("dokpa-fewshot-v1"), field(decimal seed), field(task), field(item id))
// where field() is Sha256::add_field (length-prefixed). Bounded draws use rejection sampling
// (no modulo bias); no std::*_distribution or rand(), so the shots are the same on every
// platform and standard library.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace dokpa {

enum class FewShotSamplerKind {
  FirstN,  // the first rows of the source, in file order
  Seeded,  // distinct rows drawn by a partial Fisher-Yates shuffle, in draw order
  // lm-evaluation-harness's default sampler, reproduced for parity: one CPython
  // random.Random(seed) per task (python_random.h), consumed item after item in file order;
  // each item takes sample(pool, n), or sample(pool, n + 1) minus the item itself (and rows equal
  // to it) when the shots come from the item's own file. Unlike Seeded, an item's shots depend on
  // the items before it, so it is drawn by LmEvalShotDrawer while the whole plan is built.
  LmEvalRandom,
};
const char* to_string(FewShotSamplerKind kind);

// splitmix64: 64-bit state, one add and three xor-shift-multiply steps per output.
class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}
  uint64_t next();
  // Uniform in [0, bound); bound > 0. Rejection sampling keeps it unbiased.
  uint64_t below(uint64_t bound);

 private:
  uint64_t state_;
};

class FewShotSampler {
 public:
  FewShotSampler(FewShotSamplerKind kind, size_t count, uint64_t seed, std::string task);

  // Rows (indices into a source of `pool_size` rows) to use as shots for `item_id`.
  // `exclude_row` is the item's own row when the source is the item's own dataset: it is never
  // chosen (first_n then takes the first `count` other rows). Throws dokpa::Error naming the
  // task when fewer than `count` rows are available.
  std::vector<size_t> select(size_t pool_size, std::string_view item_id, std::optional<size_t> exclude_row) const;

  // The 64-bit seed of the item's generator (exposed for tests and provenance).
  uint64_t item_seed(std::string_view item_id) const;

 private:
  FewShotSamplerKind kind_;
  size_t count_;
  uint64_t seed_;
  std::string task_;
};

// One solved example: its rendered prompt and its answer text (gold choice or gold answer).
struct LabeledExample {
  std::string text;
  std::string target;
  bool bare = false;  // the text is the whole shot: no target and no delimiters follow it
};

// lm-evaluation-harness's layout (ContextSampler.get_context + Task.fewshot_context):
//   for each shot: text + target_delimiter + target + fewshot_delimiter (a bare shot: text
//   alone); then item_text.
// With no shots this is item_text unchanged.
std::string fewshot_context(std::span<const LabeledExample> shots, std::string_view item_text,
                            std::string_view target_delimiter, std::string_view fewshot_delimiter);

}  // namespace dokpa
