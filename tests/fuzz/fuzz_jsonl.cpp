// JSONL data file text as the input; the same bytes also go to the JSON reader, which shares the
// record conversion (json_records.cpp).
#include "harness/data/dataset.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  for (auto format : {dokpa::DataFormat::Jsonl, dokpa::DataFormat::Json}) {
    dokpa::fuzz::expect_clean([&] {
      auto dataset = dokpa::parse_dataset(dokpa::fuzz::as_text(data, size), format, "data.jsonl");
      if (dataset.ids.size() != dataset.rows.size() || dataset.lines.size() != dataset.rows.size())
        dokpa::fuzz::fail("ids or lines do not match the rows");
    });
  }
  return 0;
}
