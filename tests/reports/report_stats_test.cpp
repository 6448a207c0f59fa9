// reports/stats against statsmodels, scipy, numpy and CPython's random on the same numbers
// (tests/reference/report_stats_reference.py writes the expected values).
#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "reports/stats/bootstrap.h"
#include "reports/stats/interval.h"
#include "reports/stats/paired_tests.h"
#include "reports/stats/ranking.h"
#include "tests/test_support.h"

using namespace dokpa::reports;

namespace {

const nlohmann::json& cases() {
  static const nlohmann::json json = [] {
    std::ifstream in(dokpa::test::reference_dir() / "report_stats/cases.json");
    REQUIRE(in);
    return nlohmann::json::parse(in);
  }();
  return json;
}

}  // namespace

TEST_CASE("Wilson intervals equal statsmodels proportion_confint(method=wilson)", "[reports][stats]") {
  for (const auto& entry : cases()["wilson"]) {
    Interval interval = wilson_interval(entry["k"].get<int64_t>(), entry["n"].get<int64_t>());
    INFO("k=" << entry["k"] << " n=" << entry["n"]);
    CHECK(interval.low == Approx(entry["interval"][0].get<double>()).margin(1e-12));
    CHECK(interval.high == Approx(entry["interval"][1].get<double>()).margin(1e-12));
  }
  CHECK(std::isnan(wilson_interval(0, 0).low));
}

TEST_CASE("Exact McNemar p-values equal statsmodels mcnemar(exact=True)", "[reports][stats]") {
  for (const auto& entry : cases()["mcnemar"]) {
    double expected = entry["p"].get<double>();
    INFO("b=" << entry["b"] << " c=" << entry["c"] << " expected " << expected);
    // Relative 1e-9: the tail of Binomial(34420, 1/2) is summed in log space here, by scipy's binom.cdf there.
    CHECK(mcnemar_exact_p(entry["b"].get<int64_t>(), entry["c"].get<int64_t>()) == Approx(expected).epsilon(1e-9).margin(1e-300));
  }
}

TEST_CASE("Holm adjustment equals statsmodels multipletests(method=holm)", "[reports][stats]") {
  for (const auto& entry : cases()["holm"]) {
    std::vector<double> p = entry["p"].get<std::vector<double>>();
    std::vector<double> adjusted = holm_adjusted(p);
    std::vector<double> expected = entry["adjusted"].get<std::vector<double>>();
    REQUIRE(adjusted.size() == expected.size());
    for (size_t i = 0; i < p.size(); ++i) CHECK(adjusted[i] == Approx(expected[i]).margin(1e-15));
  }
}

TEST_CASE("Percentiles equal numpy.percentile", "[reports][stats]") {
  for (const auto& entry : cases()["percentile"]) {
    std::vector<double> values = entry["values"].get<std::vector<double>>();
    std::sort(values.begin(), values.end());
    for (size_t k = 0; k < entry["q"].size(); ++k)
      CHECK(percentile_of_sorted(values, entry["q"][k].get<double>()) == entry["expected"][k].get<double>());
  }
}

TEST_CASE("The bootstrap redraws exactly what random.Random draws in Python", "[reports][stats]") {
  const nlohmann::json& reference = cases()["bootstrap"];
  uint64_t seed = bootstrap_seed(reference["suite_seed"].get<uint64_t>(), reference["task"].get<std::string>());
  REQUIRE(std::to_string(seed) == reference["seed"].get<std::string>());
  ItemMatrix matrix{3, reference["matrix"].size(), {}};
  for (const auto& row : reference["matrix"])
    for (const auto& value : row) matrix.values.push_back(value.get<double>());
  size_t iterations = reference["iterations"].get<size_t>();
  std::vector<const ItemMatrix*> matrices = {&matrix};
  Replicates replicates = bootstrap_means(matrices, iterations, seed).front();
  for (size_t b = 0; b < iterations; ++b)
    for (size_t run = 0; run < 3; ++run) REQUIRE(replicates.at(b, run) == Approx(reference["replicates"][b][run].get<double>()).margin(1e-12));
  std::vector<double> deltas, run2;
  for (size_t b = 0; b < iterations; ++b) {
    deltas.push_back(replicates.at(b, 0) - replicates.at(b, 1));
    run2.push_back(replicates.at(b, 2));
  }
  CHECK(bootstrap_p_value(deltas) == Approx(reference["p_run0_vs_run1"].get<double>()).margin(1e-15));
  Interval interval = percentile_interval(run2);
  CHECK(interval.low == Approx(reference["interval_run2"][0].get<double>()).margin(1e-12));
  CHECK(interval.high == Approx(reference["interval_run2"][1].get<double>()).margin(1e-12));
}

TEST_CASE("Bootstrap intervals agree with scipy.stats.bootstrap within Monte Carlo error", "[reports][stats]") {
  const nlohmann::json& reference = cases()["scipy"];
  std::vector<double> a = reference["a"].get<std::vector<double>>(), b = reference["b"].get<std::vector<double>>();
  ItemMatrix matrix{2, a.size(), {}};
  for (size_t i = 0; i < a.size(); ++i) matrix.values.insert(matrix.values.end(), {a[i], b[i]});
  std::vector<const ItemMatrix*> matrices = {&matrix};
  size_t iterations = reference["iterations"].get<size_t>();
  Replicates replicates = bootstrap_means(matrices, iterations, bootstrap_seed(1234, "scipy"))[0];
  std::vector<double> of_a, paired;
  for (size_t k = 0; k < iterations; ++k) {
    of_a.push_back(replicates.at(k, 0));
    paired.push_back(replicates.at(k, 1) - replicates.at(k, 0));
  }
  double tolerance = reference["tolerance"].get<double>();
  Interval single = percentile_interval(of_a), difference = percentile_interval(paired);
  CHECK(single.low == Approx(reference["interval_a"][0].get<double>()).margin(tolerance));
  CHECK(single.high == Approx(reference["interval_a"][1].get<double>()).margin(tolerance));
  CHECK(difference.low == Approx(reference["interval_b_minus_a"][0].get<double>()).margin(tolerance));
  CHECK(difference.high == Approx(reference["interval_b_minus_a"][1].get<double>()).margin(tolerance));
}

TEST_CASE("Bootstrap p-values: identical runs get 1, a clear difference gets the smallest p", "[reports][stats]") {
  std::vector<double> zeros(999, 0.0), positive(999, 0.1);
  CHECK(bootstrap_p_value(zeros) == 1.0);
  CHECK(bootstrap_p_value(positive) == Approx(2.0 / 1000.0));
  positive[5] = NAN;  // an undefined difference gives no p-value, not a significant one
  CHECK(std::isnan(bootstrap_p_value(positive)));
}

TEST_CASE("Holm leaves NaN p-values out of the family", "[reports][stats]") {
  std::vector<double> p = {0.01, NAN, 0.04};
  std::vector<double> adjusted = holm_adjusted(p);
  CHECK(adjusted[0] == Approx(0.02));
  CHECK(std::isnan(adjusted[1]));
  CHECK(adjusted[2] == Approx(0.04));
}

TEST_CASE("Ranks share a place where no test separates runs", "[reports][stats]") {
  // A and B not separated, both significantly better than C; D not separated from C.
  const size_t n = 4;
  std::vector<bool> better(n * n, false);
  better[0 * n + 2] = true;  // A > C
  better[1 * n + 2] = true;  // B > C
  better[0 * n + 3] = true;  // A > D
  CHECK(significance_ranks(n, better) == std::vector<int>{1, 1, 3, 2});
}
