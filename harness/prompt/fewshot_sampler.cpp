#include "harness/prompt/fewshot_sampler.h"

#include <utility>

#include "common/error.h"
#include "common/sha256.h"

namespace dokpa {

const char* to_string(FewShotSamplerKind kind) {
  switch (kind) {
    case FewShotSamplerKind::FirstN: return "first_n";
    case FewShotSamplerKind::Seeded: return "seeded";
    case FewShotSamplerKind::LmEvalRandom: return "lm_eval_random";
  }
  return "?";
}

uint64_t SplitMix64::next() {
  uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

uint64_t SplitMix64::below(uint64_t bound) {
  // Values under 2^64 mod bound would make low results more likely; draw again instead.
  uint64_t threshold = (0 - bound) % bound;
  while (true) {
    uint64_t r = next();
    if (r >= threshold) return r % bound;
  }
}

FewShotSampler::FewShotSampler(FewShotSamplerKind kind, size_t count, uint64_t seed, std::string task)
    : kind_(kind), count_(count), seed_(seed), task_(std::move(task)) {}

uint64_t FewShotSampler::item_seed(std::string_view item_id) const {
  Sha256 hash;
  hash.add_field("dokpa-fewshot-v1");
  hash.add_field(std::to_string(seed_));
  hash.add_field(task_);
  hash.add_field(item_id);
  return std::stoull(hash.hex_digest().substr(0, 16), nullptr, 16);
}

std::vector<size_t> FewShotSampler::select(size_t pool_size, std::string_view item_id,
                                           std::optional<size_t> exclude_row) const {
  std::vector<size_t> candidates;
  candidates.reserve(pool_size);
  for (size_t row = 0; row < pool_size; ++row) {
    if (row != exclude_row) candidates.push_back(row);
  }
  if (candidates.size() < count_) {
    throw Error("task '" + task_ + "'", "fewshot.count is " + std::to_string(count_) + " but only " +
                                            std::to_string(candidates.size()) + " rows are available for item '" +
                                            std::string(item_id) + "'");
  }
  if (kind_ == FewShotSamplerKind::Seeded) {
    SplitMix64 rng(item_seed(item_id));
    for (size_t i = 0; i < count_; ++i) {
      size_t j = i + static_cast<size_t>(rng.below(candidates.size() - i));
      std::swap(candidates[i], candidates[j]);
    }
  }
  candidates.resize(count_);
  return candidates;
}

std::string fewshot_context(std::span<const LabeledExample> shots, std::string_view item_text,
                            std::string_view target_delimiter, std::string_view fewshot_delimiter) {
  std::string out;
  for (const LabeledExample& shot : shots) {
    out += shot.text;
    if (shot.bare) continue;  // lm-eval: a shot whose target renders empty gets no delimiters
    out += target_delimiter;
    out += shot.target;
    out += fewshot_delimiter;
  }
  out += item_text;
  return out;
}

}  // namespace dokpa
