// Suite YAML text as the input (data files are not read: parse_suite only validates the config).
// An accepted suite must have a hash, and its canonical form must be stable.
#include "harness/suite/suite_config.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  dokpa::fuzz::expect_clean([&] {
    auto suite = dokpa::parse_suite(dokpa::fuzz::as_text(data, size), "suite.yaml", "/nonexistent-data-root");
    if (suite.hash.size() != 64) dokpa::fuzz::fail("suite hash is not a sha256");
    if (dokpa::canonical_suite_json(suite) != dokpa::canonical_suite_json(suite))
      dokpa::fuzz::fail("canonical_suite_json is not deterministic");
  });
  return 0;
}
