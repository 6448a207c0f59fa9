#include "runners/native/greedy_generator.h"

#include <c10/core/InferenceMode.h>

#include <algorithm>
#include <numeric>

#include "common/error.h"
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

struct Sequence {
  size_t request = 0;
  std::vector<int32_t> generated;
  bool done = false;
  std::string finish_reason;
};

void generate_batch(const LlamaModel& model, const Tokenizer& tokenizer, const std::vector<GenerateRequest>& requests,
                    const std::vector<size_t>& batch, const GenerationOptions& options,
                    std::vector<GenerateResult>& results) {
  const at::Device device = model.weights().embed_tokens.device();
  int max_new = 0;
  for (size_t r : batch) max_new = std::max(max_new, requests[r].max_tokens);

  // ---- prompt pass ----
  std::vector<std::vector<int32_t>> prompts;
  for (size_t r : batch) {
    std::vector<int32_t> ids = tokenizer.encode(requests[r].prompt, false);
    if (ids.empty()) {
      if (options.prefix_token_id < 0) throw Error("tokenizer", "empty prompt but the model has no BOS or EOS token");
      ids = {options.prefix_token_id};
    }
    size_t keep = static_cast<size_t>(std::max<int64_t>(1, options.max_length - requests[r].max_tokens));
    if (ids.size() > keep) ids.erase(ids.begin(), ids.end() - static_cast<std::ptrdiff_t>(keep));
    prompts.push_back(std::move(ids));
  }
  PaddedChunk chunk = pad_right(prompts, std::vector<int64_t>(batch.size(), 0), device);
  KVCache cache;
  at::Tensor hidden = model.forward(chunk.ids, chunk.positions, chunk.valid, cache);  // (B, P, C)
  std::vector<int64_t> last;
  for (const auto& p : prompts) last.push_back(static_cast<int64_t>(p.size()) - 1);
  at::Tensor last_index = at::tensor(last, at::kLong).to(device).view({-1, 1, 1}).expand({-1, 1, hidden.size(2)});
  at::Tensor step_hidden = hidden.gather(1, last_index).squeeze(1);  // (B, C)

  std::vector<Sequence> seqs(batch.size());
  for (size_t b = 0; b < batch.size(); ++b) seqs[b].request = batch[b];

  // ---- decode, one token per row per step ----
  for (int step = 0; step < max_new; ++step) {
    at::Tensor next = model.log_probs(step_hidden).argmax(-1).to(at::kCPU);  // (B)
    std::vector<std::vector<int32_t>> feed(batch.size());
    std::vector<int64_t> positions(batch.size());
    bool all_done = true;
    for (size_t b = 0; b < batch.size(); ++b) {
      Sequence& s = seqs[b];
      positions[b] = static_cast<int64_t>(prompts[b].size()) + step;
      if (s.done) continue;
      int32_t token = static_cast<int32_t>(next[static_cast<int64_t>(b)].item<int64_t>());
      const GenerateRequest& req = requests[s.request];
      if (std::find(options.eos_ids.begin(), options.eos_ids.end(), token) != options.eos_ids.end()) {
        s.done = true;
        s.finish_reason = "eos";
        continue;
      }
      s.generated.push_back(token);
      std::string raw = tokenizer.decode(s.generated, false);
      if (cut_at_stop(raw, req.stop)) {
        s.done = true;
        s.finish_reason = "stop";
      } else if (static_cast<int>(s.generated.size()) >= req.max_tokens ||
                 positions[b] + 1 >= options.max_length) {
        s.done = true;
        s.finish_reason = "length";
      } else {
        feed[b] = {token};
        all_done = false;
      }
    }
    if (all_done) break;
    PaddedChunk step_chunk = pad_right(feed, positions, device);  // finished rows feed padding
    step_hidden = model.forward(step_chunk.ids, step_chunk.positions, step_chunk.valid, cache).squeeze(1);
  }
  for (Sequence& s : seqs) {
    GenerateResult& out = results[s.request];
    out.text = tokenizer.decode(s.generated, true);
    cut_at_stop(out.text, requests[s.request].stop);
    out.n_tokens = static_cast<int>(s.generated.size());
    out.finish_reason = s.finish_reason.empty() ? "length" : s.finish_reason;
  }
}

}  // namespace

std::vector<GenerateResult> generate_greedy(const LlamaModel& model, const Tokenizer& tokenizer,
                                            const std::vector<GenerateRequest>& requests,
                                            const GenerationOptions& options) {
  c10::InferenceMode inference_mode;
  std::vector<GenerateResult> results(requests.size());
  // Longest prompts first so a batch holds similar lengths; stable for determinism.
  std::vector<size_t> order(requests.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return requests[a].prompt.size() > requests[b].prompt.size(); });
  const size_t batch_size = static_cast<size_t>(std::max(1, options.batch_size));
  for (size_t begin = 0; begin < order.size(); begin += batch_size) {
    std::vector<size_t> batch(order.begin() + static_cast<std::ptrdiff_t>(begin),
                              order.begin() + static_cast<std::ptrdiff_t>(std::min(order.size(), begin + batch_size)));
    generate_batch(model, tokenizer, requests, batch, options, results);
  }
  return results;
}

}  // namespace dokpa
