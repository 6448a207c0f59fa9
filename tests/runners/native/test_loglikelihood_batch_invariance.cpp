// Log-likelihood scoring at batch sizes 1, 4 and 16: predictions must be identical and the
// log-probabilities may differ only by float rounding (batch size changes how far rows are padded,
// hence the shapes of the matmuls and of the attention reductions; see bench/README.md).
#include <catch2/catch.hpp>

#include <cmath>

#include "runners/runner.h"
#include "tests/test_support.h"

using namespace dokpa;
using namespace dokpa::test;

namespace {

// 8 four-choice items whose contexts grow from ~20 to ~110 tokens, so every batch size mixes
// lengths differently.
std::vector<LoglikelihoodRequest> four_choice_items() {
  std::vector<LoglikelihoodRequest> requests;
  const std::string detail = " 그리고 그 이유를 설명하는 보기로 가장 알맞은 것은? Explain why.";
  for (int i = 0; i < 8; ++i) {
    std::string context = "문제 " + std::to_string(i + 1) + ": 다음 중 옳은 것은?";
    for (int k = 0; k < i; ++k) context += detail;
    context += "\nA. 하나\nB. 둘\nC. 셋\nD. 넷\n정답：";
    for (const char* choice : {" A", " B", " C", " D"}) requests.push_back({context, choice});
  }
  return requests;
}

std::vector<LoglikelihoodResult> score(int batch_size, const std::vector<LoglikelihoodRequest>& requests) {
  RunnerOptions options;
  options.checkpoint = default_model_dir().string();
  options.device = "cpu";
  options.batch_size = batch_size;
  return open_runner(options)->loglikelihood(requests);
}

}  // namespace

TEST_CASE("loglikelihood predictions do not depend on batch size 1, 4 or 16", "[native][smollm2][determinism]") {
  // Not bit-identical: measured on the development machine (fp32 CPU, 2026-11-28) up to 1.6e-5,
  // from attention reductions over padded key widths. The bound leaves room for other CPUs'
  // kernels while staying far below the gaps that decide an argmax here.
  constexpr double kBound = 1e-4;
  std::vector<LoglikelihoodRequest> requests = four_choice_items();
  std::vector<LoglikelihoodResult> one = score(1, requests);
  for (int batch_size : {4, 16}) {
    std::vector<LoglikelihoodResult> other = score(batch_size, requests);
    REQUIRE(other.size() == requests.size());
    double worst = 0;
    int identical = 0;
    for (size_t i = 0; i < requests.size(); ++i) {
      worst = std::max(worst, std::abs(one[i].logprob - other[i].logprob));
      identical += one[i].logprob == other[i].logprob;
      CHECK(one[i].is_greedy == other[i].is_greedy);
      CHECK(one[i].n_tokens == other[i].n_tokens);
    }
    for (size_t item = 0; item < requests.size(); item += 4) {  // the predicted choice of each item
      auto best = [&](const std::vector<LoglikelihoodResult>& r) {
        size_t pick = item;
        for (size_t c = item; c < item + 4; ++c)
          if (r[c].logprob > r[pick].logprob) pick = c;
        return pick;
      };
      CHECK(best(one) == best(other));
    }
    WARN("batch 1 vs " << batch_size << ": " << identical << "/" << requests.size()
                       << " log-probs bit-identical, largest |Δ| " << worst);
    CHECK(worst <= kBound);
  }
}
