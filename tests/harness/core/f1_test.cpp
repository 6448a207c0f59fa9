// dokpa::macro_f1 against scikit-learn's f1_score(golds, predictions, average="macro"), the call
// lm-eval's KoBEST tasks make (tests/reference/macro_f1_reference.py writes the cases).
#include <cmath>
#include <fstream>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/error.h"
#include "harness/score/f1.h"
#include "tests/test_support.h"

using namespace dokpa;

TEST_CASE("macro_f1 on hand-computed cases", "[score][f1]") {
  // Labels {0, 1}: label 0 never predicted (F1 0), label 1 has tp 1, fp 1, fn 0 (F1 2/3).
  CHECK(macro_f1(std::vector<int>{1, 1}, std::vector<int>{0, 1}) == Approx(1.0 / 3.0).epsilon(1e-15));
  CHECK(macro_f1(std::vector<int>{2, 2, 2}, std::vector<int>{2, 2, 2}) == 1.0);
  CHECK(macro_f1(std::vector<int>{1, 0}, std::vector<int>{0, 1}) == 0.0);
  // A label only predicted counts in the mean with F1 0: labels {0, 1, 9}, F1 (1, 2/3, 0).
  CHECK(macro_f1(std::vector<int>{0, 1, 9}, std::vector<int>{0, 1, 1}) == Approx(5.0 / 9.0).epsilon(1e-15));
  // Symmetric in predictions and golds.
  std::vector<int> a{0, 1, 2, 2, 1, 0, 3};
  std::vector<int> b{0, 2, 2, 1, 1, 3, 3};
  CHECK(macro_f1(a, b) == macro_f1(b, a));
}

TEST_CASE("macro_f1 of nothing is NaN and mismatched lengths are an error", "[score][f1]") {
  CHECK(std::isnan(macro_f1(std::vector<int>{}, std::vector<int>{})));
  CHECK_THROWS_AS(macro_f1(std::vector<int>{0, 1}, std::vector<int>{0}), Error);
}

TEST_CASE("macro_f1 matches scikit-learn f1_score average macro", "[score][f1][reference]") {
  std::filesystem::path path = test::reference_dir() / "score" / "macro_f1.json";
  std::ifstream in(path);
  REQUIRE(in.good());
  nlohmann::json reference = nlohmann::json::parse(in);
  const nlohmann::json& cases = reference.at("cases");
  REQUIRE(cases.size() >= 300);
  double worst = 0.0;
  size_t degenerate = 0;
  size_t identical = 0;
  for (const nlohmann::json& c : cases) {
    std::vector<int> predictions = c.at("predictions").get<std::vector<int>>();
    std::vector<int> golds = c.at("golds").get<std::vector<int>>();
    double expected = c.at("f1").get<double>();
    double actual = macro_f1(predictions, golds);
    INFO(c.at("name").get<std::string>() << " (scikit-learn " << reference.at("sklearn").get<std::string>() << ")");
    CHECK(std::abs(actual - expected) <= 1e-12);
    worst = std::max(worst, std::abs(actual - expected));
    identical += actual == expected;
    degenerate += c.at("name").get<std::string>().rfind("random", 0) != 0;
  }
  CHECK(degenerate >= 10);
  // The contract is 1e-12. With numpy's pairwise summation they are equal to the bit (all 311
  // cases with numpy 2.3); a numpy that sums differently is reported, not failed.
  CHECK(worst <= 1e-12);
  if (identical != cases.size()) {
    WARN("largest |dokpa - sklearn| = " << worst << ", " << identical << " of " << cases.size() << " identical");
  }
}
