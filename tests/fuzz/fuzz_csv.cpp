// CSV data file text as the input (parse_dataset: the UTF-8 check, the reader, item ids).
#include "harness/data/dataset.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  dokpa::fuzz::expect_clean([&] {
    auto dataset = dokpa::parse_dataset(dokpa::fuzz::as_text(data, size), dokpa::DataFormat::Csv, "data.csv");
    if (dataset.ids.size() != dataset.rows.size() || dataset.lines.size() != dataset.rows.size())
      dokpa::fuzz::fail("ids or lines do not match the rows");
  });
  return 0;
}
