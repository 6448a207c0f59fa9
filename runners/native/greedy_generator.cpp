#include "runners/native/greedy_generator.h"

#include <c10/core/InferenceMode.h>

#include <algorithm>
#include <numeric>
#include <span>

#include "common/error.h"
#include "runners/native/kv_cache_ops.h"
#include "runners/native/loglikelihood_scorer.h"

namespace dokpa {

namespace {

// Cuts `text` before the earliest stop string; true if one was found.
bool cut_at_stop(std::string& text, const std::vector<std::string>& stops) {
  size_t earliest = std::string::npos;
  for (const std::string& stop : stops) {
    if (stop.empty()) continue;
    size_t at = text.find(stop);
    if (at < earliest) earliest = at;
  }
  if (earliest == std::string::npos) return false;
  text.resize(earliest);
  return true;
}

bool ends_with_replacement_char(const std::string& text) {
  return text.size() >= 3 && text.compare(text.size() - 3, 3, "\xEF\xBF\xBD") == 0;
}

// Watches the text of a growing token sequence for stop strings without re-decoding all of it
// each step. Only the tokens since the last complete piece of text are decoded (starting one
// piece earlier, so decoders that treat a sequence's first token specially, such as
// SentencePiece's leading-space rule, see the same context they would in the full text); a
// piece that ends in an incomplete UTF-8 character waits for the tokens that complete it. The
// new text is searched together with the last (longest stop - 1) bytes seen before it, so a stop
// string split across tokens is still found.
class StopWatcher {
 public:
  StopWatcher(const Tokenizer& tokenizer, const std::vector<std::string>& stops)
      : tokenizer_(&tokenizer), stops_(&stops) {
    for (const std::string& stop : stops) longest_ = std::max(longest_, stop.size());
  }

  // `tokens` grew by one; true if the text (special tokens kept) now contains a stop string.
  bool seen_stop(const std::vector<int32_t>& tokens) {
    if (longest_ == 0) return false;
    std::span<const int32_t> all(tokens);
    std::string before = tokenizer_->decode(all.subspan(prefix_, read_ - prefix_), false);
    std::string now = tokenizer_->decode(all.subspan(prefix_), false);
    if (now.size() <= before.size() || ends_with_replacement_char(now)) return false;  // no complete new text yet
    std::string window = tail_ + now.substr(before.size());
    prefix_ = read_;
    read_ = tokens.size();
    std::string probe = window;
    if (cut_at_stop(probe, *stops_)) return true;
    tail_ = window.substr(window.size() - std::min(window.size(), longest_ - 1));
    return false;
  }

 private:
  const Tokenizer* tokenizer_;
  const std::vector<std::string>* stops_;
  size_t longest_ = 0;  // bytes of the longest stop string; 0 = nothing to watch
  size_t prefix_ = 0, read_ = 0;  // tokens [prefix_, read_) decode to text already searched
  std::string tail_;  // the last longest_ - 1 bytes of text already searched
};

// One sequence in the decoding batch.
struct ActiveSequence {
  size_t request = 0;
  int64_t prompt_length = 0;
  std::vector<int32_t> generated;
  StopWatcher stops;
};

// Prompt tokens as lm-eval encodes them: no special tokens, left-truncated to leave room for the
// budget; an empty prompt becomes the prefix token.
std::vector<int32_t> encode_prompt(const Tokenizer& tokenizer, const GenerateRequest& request,
                                   const GenerationOptions& options) {
  std::vector<int32_t> ids = tokenizer.encode(request.prompt, false);
  if (ids.empty()) {
    if (options.prefix_token_id < 0) throw Error("tokenizer", "empty prompt but the model has no BOS or EOS token");
    ids = {options.prefix_token_id};
  }
  size_t keep = static_cast<size_t>(std::max<int64_t>(1, options.max_length - request.max_tokens));
  if (ids.size() > keep) ids.erase(ids.begin(), ids.end() - static_cast<std::ptrdiff_t>(keep));
  return ids;
}

// The decoding batch: up to batch_size sequences, their KV cache (rows right-aligned, see
// kv_cache_ops.h) and the hidden states that predict each row's next token.
class ContinuousBatch {
 public:
  ContinuousBatch(const LlamaModel& model, const Tokenizer& tokenizer, const std::vector<GenerateRequest>& requests,
                  const GenerationOptions& options, std::vector<GenerateResult>& results)
      : model_(model), tokenizer_(tokenizer), requests_(requests), options_(options), results_(results),
        device_(model.weights().embed_tokens.device()) {}

  size_t size() const { return rows_.size(); }

  // Prompt pass of one new sequence, alone (so its prompt states do not depend on which other
  // prompts share the batch); its keys join the cache as a new last row.
  void admit(size_t request, std::vector<int32_t> prompt) {
    const int64_t length = static_cast<int64_t>(prompt.size());
    PaddedChunk chunk = pad_right({prompt}, {0}, device_);
    KVCache fresh;
    at::Tensor hidden = model_.forward(chunk.ids, chunk.positions, chunk.valid, fresh);  // (1, P, C)
    append_cache_rows(cache_, fresh, {length});
    at::Tensor last = hidden.select(1, length - 1);  // (1, C)
    step_hidden_ = step_hidden_.defined() ? at::cat({step_hidden_, last}) : last;  // (B, C)
    rows_.push_back({request, length, {}, StopWatcher(tokenizer_, requests_[request].stop)});
  }

  // Picks every row's next token, retires finished rows (writing their results) and feeds the
  // others one step.
  void step() {
    // Argmax of the logits, as transformers' greedy search takes it.
    at::Tensor next = model_.logits(step_hidden_).argmax(-1).to(at::kCPU).contiguous();  // (B)
    const int64_t* next_ids = next.data_ptr<int64_t>();
    std::vector<int64_t> keep;
    std::vector<std::vector<int32_t>> feed;
    std::vector<int64_t> positions;
    std::vector<ActiveSequence> kept_rows;
    for (size_t b = 0; b < rows_.size(); ++b) {
      ActiveSequence& s = rows_[b];
      const auto token = static_cast<int32_t>(next_ids[b]);
      std::string reason = advance(s, token);
      if (!reason.empty()) {
        finish(s, reason);
        continue;
      }
      keep.push_back(static_cast<int64_t>(b));
      feed.push_back({token});
      positions.push_back(s.prompt_length + static_cast<int64_t>(s.generated.size()) - 1);
      kept_rows.push_back(std::move(s));
    }
    if (keep.size() != rows_.size()) {
      cache_ = keep_cache_rows(cache_, keep);
      compact_cache_columns(cache_);
    }
    rows_ = std::move(kept_rows);
    step_hidden_ = at::Tensor();
    if (rows_.empty()) return;
    PaddedChunk chunk = pad_right(feed, positions, device_);  // (B, 1), every row real
    step_hidden_ = model_.forward(chunk.ids, chunk.positions, chunk.valid, cache_).squeeze(1);  // (B, C)
  }

 private:
  // Appends `token` to `s`; returns the finish reason if the sequence ends here, else "".
  std::string advance(ActiveSequence& s, int32_t token) {
    const auto& eos = options_.eos_ids;
    if (std::find(eos.begin(), eos.end(), token) != eos.end()) return "eos";  // eos is not part of the output
    s.generated.push_back(token);
    if (s.stops.seen_stop(s.generated)) return "stop";
    const int64_t used = s.prompt_length + static_cast<int64_t>(s.generated.size());
    if (static_cast<int>(s.generated.size()) >= requests_[s.request].max_tokens || used >= options_.max_length)
      return "length";
    return "";
  }

  void finish(const ActiveSequence& s, const std::string& reason) {
    GenerateResult& out = results_[s.request];
    out.text = tokenizer_.decode(s.generated, true);
    cut_at_stop(out.text, requests_[s.request].stop);
    out.n_tokens = static_cast<int>(s.generated.size());
    out.finish_reason = reason;
  }

  const LlamaModel& model_;
  const Tokenizer& tokenizer_;
  const std::vector<GenerateRequest>& requests_;
  const GenerationOptions& options_;
  std::vector<GenerateResult>& results_;
  const at::Device device_;
  std::vector<ActiveSequence> rows_;  // row b of cache_ and step_hidden_
  KVCache cache_;
  at::Tensor step_hidden_;  // (B, C)
};

}  // namespace

std::vector<GenerateResult> generate_greedy(const LlamaModel& model, const Tokenizer& tokenizer,
                                            const std::vector<GenerateRequest>& requests,
                                            const GenerationOptions& options) {
  c10::InferenceMode inference_mode;
  std::vector<GenerateResult> results(requests.size());
  std::vector<std::vector<int32_t>> prompts;
  prompts.reserve(requests.size());
  for (const GenerateRequest& r : requests) prompts.push_back(encode_prompt(tokenizer, r, options));

  // Longest prompts first, so the short ones fill the slots that free up near the end; stable
  // for determinism.
  std::vector<size_t> order(requests.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return prompts[a].size() > prompts[b].size(); });

  // Continuous batching: a slot freed by a finished sequence is refilled before the next step.
  const size_t batch_size = static_cast<size_t>(std::max(1, options.batch_size));
  ContinuousBatch batch(model, tokenizer, requests, options, results);
  size_t waiting = 0;
  while (waiting < order.size() || batch.size() > 0) {
    for (; waiting < order.size() && batch.size() < batch_size; ++waiting) {
      size_t r = order[waiting];
      if (requests[r].max_tokens <= 0) {  // nothing to generate: no pass needed
        results[r].finish_reason = "length";
        continue;
      }
      batch.admit(r, std::move(prompts[r]));
    }
    if (batch.size() > 0) batch.step();
  }
  return results;
}

}  // namespace dokpa
