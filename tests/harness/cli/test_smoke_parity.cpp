// Check 3 of the walking skeleton: the smoke suite's multiple-choice log-likelihoods, as dokpa
// stores them, equal a transformers reference computed the lm-evaluation-harness way
// (tests/reference/lm_eval_way_loglikelihood.py): |Δ| ≤ 1e-4 per choice, same argmax per item.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <cmath>

#include "tests/harness/cli/cli_test_support.h"

using namespace dokpa;
using namespace dokpa::test;

TEST_CASE("smoke multiple-choice log-likelihoods equal the transformers lm-eval-way reference",
          "[cli][parity][smollm2]") {
  std::filesystem::path dir = scratch_dir("smoke_parity");
  CommandResult run = run_dokpa(smoke_args(dir / "store.db"));
  INFO(run.output);
  REQUIRE(run.exit_code == 0);

  // Every stored multiple-choice request (the exact bytes dokpa sent) with its stored result.
  auto rows = query_rows(dir / "store.db",
                         "SELECT q.task || '/' || q.item_id, q.request, r.logprob FROM requests q JOIN results r "
                         "USING (run_id, task, item_id, request_index) WHERE r.logprob IS NOT NULL ORDER BY q.plan_order");
  REQUIRE(rows.size() > 50);
  nlohmann::json requests = nlohmann::json::array();
  std::vector<std::string> items;
  std::vector<double> dokpa_logprobs;
  for (const std::string& row : rows) {
    size_t first = row.find('|'), last = row.rfind('|');
    items.push_back(row.substr(0, first));
    nlohmann::json request = nlohmann::json::parse(row.substr(first + 1, last - first - 1));
    requests.push_back({{"context", request["context"]}, {"continuation", request["continuation"]}});
    dokpa_logprobs.push_back(std::stod(row.substr(last + 1)));
  }
  write_text(dir / "requests.json", requests.dump());
  run_reference_script("lm_eval_way_loglikelihood.py", "--model " + shell_quote(default_model_dir().string()) +
                                                          " --requests " + shell_quote((dir / "requests.json").string()) +
                                                          " --out " + shell_quote((dir / "reference.json").string()));
  nlohmann::json reference = nlohmann::json::parse(read_file(dir / "reference.json"));
  REQUIRE(reference.size() == requests.size());

  double worst = 0;
  std::map<std::string, std::pair<int, double>> dokpa_best, reference_best;  // item -> (choice, logprob)
  std::map<std::string, int> choice_of;
  for (size_t i = 0; i < rows.size(); ++i) {
    double expected = reference[i]["logprob"].get<double>();
    double delta = std::abs(dokpa_logprobs[i] - expected);
    worst = std::max(worst, delta);
    INFO("request " << i << " of " << items[i]);
    CHECK(delta <= 1e-4);
    int choice = choice_of[items[i]]++;
    if (choice == 0 || dokpa_logprobs[i] > dokpa_best[items[i]].second) dokpa_best[items[i]] = {choice, dokpa_logprobs[i]};
    if (choice == 0 || expected > reference_best[items[i]].second) reference_best[items[i]] = {choice, expected};
  }
  for (const auto& [item, best] : dokpa_best) {
    INFO("item " << item);
    CHECK(best.first == reference_best[item].first);
  }
  WARN("smoke suite: " << rows.size() << " choices over " << dokpa_best.size()
                       << " items; largest |Δ logprob| against transformers " << worst);
}
