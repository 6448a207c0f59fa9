#include "harness/run/recompute_compare.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <optional>

#include "harness/data/unicode_text.h"

namespace dokpa {

namespace {

// numpy.argmax: the first maximum (as the scorer, harness/score/item_scores.cpp).
int first_argmax(const std::vector<double>& values) {
  int best = -1;
  for (size_t i = 0; i < values.size(); ++i)
    if (best < 0 || values[i] > values[static_cast<size_t>(best)]) best = static_cast<int>(i);
  return best;
}

double choice_length(const std::string& continuation, const std::string& delimiter) {
  std::string_view text = continuation;
  if (!delimiter.empty() && text.substr(0, delimiter.size()) == delimiter) text.remove_prefix(delimiter.size());
  return static_cast<double>(std::max<size_t>(count_code_points(text), 1));
}

std::string show(const std::optional<std::string>& text) {
  if (!text) return "NULL";
  std::string shown = *text;
  if (count_code_points(shown) > 60) {
    // Cut at a code point boundary (UTF-8 continuation bytes are 10xxxxxx).
    size_t cut = 0, points = 0;
    while (cut < shown.size() && points < 60) {
      ++cut;
      while (cut < shown.size() && (static_cast<unsigned char>(shown[cut]) & 0xC0) == 0x80) ++cut;
      ++points;
    }
    shown = shown.substr(0, cut) + "…";
  }
  std::string quoted = "\"";
  for (char c : shown) {
    if (c == '\n')
      quoted += "\\n";
    else if (c == '"')
      quoted += "\\\"";
    else
      quoted += c;
  }
  return quoted + "\"";
}

ItemCheck start_check(std::span<const PlannedRequest> requests, std::span<const ResultRow> stored) {
  ItemCheck check;
  check.task = requests.front().task;
  check.item_id = requests.front().item_id;
  check.requests = requests.size();
  for (size_t i = 0; i < requests.size(); ++i)
    if (stored[i].prompt_hash != requests[i].prompt_hash)
      check.differences.push_back(fmt::format("request {}: the stored result's prompt hash {} is not its request's {}",
                                              requests[i].request_index, stored[i].prompt_hash,
                                              requests[i].prompt_hash));
  return check;
}

}  // namespace

LogprobTolerance logprob_tolerance(const std::string&) {
  // Every dtype: the recompute replays the run's own runner calls, and with the run's batches a
  // bfloat16 replay is bit for bit on the run's device (docs/store-schema.md); float32 keeps room
  // for another device's kernels (~1e-5).
  return {1e-3, 1e-4};
}

ItemCheck compare_multiple_choice(std::span<const PlannedRequest> requests, std::span<const ResultRow> stored,
                                  std::span<const LoglikelihoodResult> recomputed, const LogprobTolerance& tolerance,
                                  const ChoiceRule& rule) {
  ItemCheck check = start_check(requests, stored);
  std::vector<double> before, after, before_norm, after_norm;
  for (size_t i = 0; i < requests.size(); ++i) {
    const ResultRow& s = stored[i];
    const LoglikelihoodResult& r = recomputed[i];
    const int index = requests[i].request_index;
    if (!s.logprob || !s.is_greedy) {
      check.differences.push_back(fmt::format("request {}: the stored result has no log-probability", index));
      continue;
    }
    double delta = std::abs(*s.logprob - r.logprob);
    if (std::isnan(delta)) delta = INFINITY;
    check.max_logprob_delta = std::max(check.max_logprob_delta, delta);
    double allowed = tolerance.allowed(std::max(s.n_tokens, r.n_tokens));
    if (!(delta <= allowed))
      check.differences.push_back(
          fmt::format("request {}: logprob stored {:.9g}, recomputed {:.9g} (|Δ| {:.3g} > {:.3g})", index, *s.logprob,
                      r.logprob, delta, allowed));
    if (*s.is_greedy != r.is_greedy)
      check.differences.push_back(
          fmt::format("request {}: is_greedy stored {}, recomputed {}", index, *s.is_greedy, r.is_greedy));
    if (s.n_tokens != r.n_tokens)
      check.differences.push_back(
          fmt::format("request {}: n_tokens stored {}, recomputed {}", index, s.n_tokens, r.n_tokens));
    double length = choice_length(requests[i].continuation, rule.target_delimiter);
    before.push_back(*s.logprob);
    after.push_back(r.logprob);
    before_norm.push_back(*s.logprob / length);
    after_norm.push_back(r.logprob / length);
  }
  if (before.size() != requests.size()) return check;
  const bool within_tolerance = check.differences.empty();
  auto compare_choice = [&](const std::vector<double>& b, const std::vector<double>& a, const char* what) {
    int pb = first_argmax(b), pa = first_argmax(a);
    if (pb != pa)
      check.differences.push_back(fmt::format("{}predicted choice stored {}, recomputed {}{}", what,
                                              requests[static_cast<size_t>(pb)].request_index,
                                              requests[static_cast<size_t>(pa)].request_index,
                                              within_tolerance ? " (a near tie: every log-probability is within "
                                                                 "the tolerance)"
                                                               : ""));
  };
  compare_choice(before, after, "");
  if (rule.acc_norm) compare_choice(before_norm, after_norm, "acc_norm ");
  return check;
}

ItemCheck compare_generate(std::span<const PlannedRequest> requests, std::span<const ResultRow> stored,
                           std::span<const GenerateResult> recomputed) {
  ItemCheck check = start_check(requests, stored);
  for (size_t i = 0; i < requests.size(); ++i) {
    const ResultRow& s = stored[i];
    const GenerateResult& r = recomputed[i];
    const std::string at = requests.size() > 1 ? fmt::format("request {}: ", requests[i].request_index) : "";
    if (s.response_text != r.text)
      check.differences.push_back(
          fmt::format("{}response_text stored {}, recomputed {}", at, show(s.response_text), show(r.text)));
    if (s.finish_reason != r.finish_reason)
      check.differences.push_back(
          fmt::format("{}finish_reason stored {}, recomputed {}", at, show(s.finish_reason), show(r.finish_reason)));
    if (s.n_tokens != r.n_tokens)
      check.differences.push_back(fmt::format("{}n_tokens stored {}, recomputed {}", at, s.n_tokens, r.n_tokens));
  }
  return check;
}

std::string format_item_check(const ItemCheck& check) {
  if (check.ok()) {
    std::string detail =
        check.requests > 1 || check.max_logprob_delta > 0
            ? fmt::format(" ({} requests, max |Δ logprob| {:.2g})", check.requests, check.max_logprob_delta)
            : "";
    return fmt::format("ok       task '{}' item '{}'{}", check.task, check.item_id, detail);
  }
  std::string what;
  for (const std::string& d : check.differences) what += (what.empty() ? "" : "; ") + d;
  return fmt::format("DIFFERS  task '{}' item '{}': {}", check.task, check.item_id, what);
}

}  // namespace dokpa
