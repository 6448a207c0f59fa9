// PythonRandom against CPython's random.Random (tests/reference/python_random_reference.py):
// every draw of every case must be identical, so lm-eval's few-shot order can be reproduced.
#include <fstream>
#include <nlohmann/json.hpp>

#include "common/python_random.h"
#include "tests/test_support.h"

using namespace dokpa;

TEST_CASE("PythonRandom draws exactly what CPython's random.Random draws", "[prompt][python_random]") {
  std::ifstream in(test::reference_dir() / "python_random/samples.json");
  REQUIRE(in.good());
  nlohmann::json cases = nlohmann::json::parse(in);
  REQUIRE(cases.size() >= 6);
  size_t draws = 0;
  for (const auto& c : cases) {
    uint64_t seed = std::stoull(c["seed"].get<std::string>());
    INFO("seed " << seed);
    PythonRandom random(seed);
    for (const auto& draw : c["draws"]) {
      size_t n = draw["n"].get<size_t>(), k = draw["k"].get<size_t>();
      INFO("sample(" << n << ", " << k << ") #" << draws);
      CHECK(random.sample(n, k) == draw["sample"].get<std::vector<size_t>>());
      ++draws;
    }
    int bits[] = {1, 7, 31, 32, 33, 53, 64};
    for (size_t i = 0; i < 7; ++i) CHECK(random.getrandbits(bits[i]) == c["getrandbits"][i].get<uint64_t>());
  }
  CHECK(draws > 40);
}
