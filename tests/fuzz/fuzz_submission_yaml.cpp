// Submission manifest YAML text as the input.
#include "harness/suite/submission.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  dokpa::fuzz::expect_clean([&] { (void)dokpa::parse_submission(dokpa::fuzz::as_text(data, size), "submission.yaml"); });
  return 0;
}
