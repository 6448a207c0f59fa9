// The JSON and Parquet dataset readers. Parquet values are checked against what Python's str()
// gives for the values pyarrow reads back (tests/reference/parquet_fixture.py writes both).
#include <fstream>
#include <nlohmann/json.hpp>

#include "common/error.h"
#include "common/file_io.h"
#include "harness/data/dataset.h"
#include "tests/harness/core/record_test_support.h"
#include "tests/test_support.h"

using Catch::Matchers::Contains;
using namespace dokpa;
using dokpa::test::text_of;

namespace {


std::vector<std::string> list_of(const Record& record, const std::string& field) {
  const FieldValue* value = record.find(field);
  REQUIRE(value != nullptr);
  REQUIRE(std::holds_alternative<std::vector<std::string>>(*value));
  return std::get<std::vector<std::string>>(*value);
}

std::filesystem::path parquet_dir() { return test::reference_dir() / "parquet"; }

// Every row and column of `data` equals expected.json's entry for `file` (text or list of text).
void check_against_python(const Dataset& data, const std::string& file) {
  nlohmann::json all = nlohmann::json::parse(read_file(parquet_dir() / "expected.json"));
  const nlohmann::json& expected = all.at(file);
  const nlohmann::json& rows = expected.at("rows");
  REQUIRE(data.rows.size() == rows.size());
  std::vector<std::string> columns = expected.at("columns").get<std::vector<std::string>>();
  size_t mismatches = 0;
  for (size_t r = 0; r < rows.size(); ++r) {
    const auto& fields = data.rows[r].fields();
    REQUIRE(fields.size() == columns.size());
    for (size_t c = 0; c < columns.size(); ++c) {
      INFO(file << " row " << r << " column " << columns[c]);
      CHECK(fields[c].first == columns[c]);  // column order kept
      const nlohmann::json& want = rows[r].at(columns[c]);
      const FieldValue& got = fields[c].second;
      bool same = want.is_array() ? std::holds_alternative<std::vector<std::string>>(got) &&
                                        std::get<std::vector<std::string>>(got) == want.get<std::vector<std::string>>()
                                  : std::holds_alternative<std::string>(got) &&
                                        std::get<std::string>(got) == want.get<std::string>();
      if (!same) {
        ++mismatches;
        if (mismatches <= 20) {
          std::string shown = std::holds_alternative<std::string>(got) ? std::get<std::string>(got) : "<list>";
          FAIL_CHECK("expected " << want.dump() << ", got " << shown);
        }
      }
    }
  }
  CHECK(mismatches == 0);
  for (size_t r = 0; r < data.lines.size(); ++r) CHECK(data.lines[r] == r + 1);  // 1-based row numbers
}

}  // namespace

TEST_CASE("Data formats: names round-trip through parse_data_format", "[data]") {
  for (DataFormat format : {DataFormat::Csv, DataFormat::Jsonl, DataFormat::Json, DataFormat::Parquet}) {
    CHECK(parse_data_format(to_string(format), "suite.yaml") == format);
  }
  REQUIRE_THROWS_WITH(parse_data_format("xlsx", "suite.yaml"),
                      Contains("suite.yaml") && Contains("'xlsx'") && Contains("json or parquet"));
}

TEST_CASE("JSON: an array of objects, values as in JSONL, lines and ids", "[data][json]") {
  std::string text =
      "\xEF\xBB\xBF[\n"
      "  {\"id\": \"q1\", \"label\": 1, \"score\": 0.50, \"ok\": true, \"opts\": [\"가\", 2, null, false]},\n"
      "\n"
      "  {\"id\": \"q2\", \"label\": -3, \"score\": 1e2, \"ok\": false,\n"
      "   \"opts\": [], \"note\": null},\n"
      "  {\"id\": \"q3\", \"label\": 18446744073709551615, \"score\": -0.0, \"ok\": null, \"opts\": [\"줄\\n바꿈\"]}\n"
      "]\n";
  Dataset data = parse_json(text, "t.json");
  REQUIRE(data.rows.size() == 3);
  CHECK(data.source == "t.json");
  CHECK(data.ids == std::vector<std::string>{"q1", "q2", "q3"});
  CHECK(data.lines == std::vector<size_t>{2, 4, 6});  // the line of each item's '{'
  CHECK(text_of(data.rows[0], "label") == "1");
  CHECK(text_of(data.rows[0], "score") == "0.50");  // numbers as written
  CHECK(text_of(data.rows[1], "score") == "1e2");
  CHECK(text_of(data.rows[2], "score") == "-0.0");
  CHECK(text_of(data.rows[2], "label") == "18446744073709551615");
  CHECK(text_of(data.rows[0], "ok") == "True");  // Python's str(True), as lm-eval renders it
  CHECK(text_of(data.rows[1], "ok") == "False");
  CHECK(text_of(data.rows[2], "ok").empty());
  CHECK(text_of(data.rows[1], "note").empty());
  CHECK(list_of(data.rows[0], "opts") == std::vector<std::string>{"가", "2", "", "False"});
  CHECK(list_of(data.rows[1], "opts").empty());
  CHECK(list_of(data.rows[2], "opts") == std::vector<std::string>{"줄\n바꿈"});
  CHECK(data.rows[0].fields().front().first == "id");  // field order kept
}

TEST_CASE("JSON: an object with one key holding the array, and empty arrays", "[data][json]") {
  Dataset data = parse_json("{\"data\": [{\"q\": \"a\"}, {\"q\": \"b\"}]}", "wrapped.json");
  REQUIRE(data.rows.size() == 2);
  CHECK(text_of(data.rows[1], "q") == "b");
  CHECK(data.ids == std::vector<std::string>{"0", "1"});  // no id field: the item index
  CHECK(parse_json("{\"train\":\n[\n{\"q\": 1}]}", "w.json").lines == std::vector<size_t>{3});  // any key name
  CHECK(parse_json("[]", "empty.json").rows.empty());
  CHECK(parse_json("{\"rows\": []}", "empty.json").rows.empty());
  // Through the seam: load_dataset reads the file and checks UTF-8.
  auto dir = test::scratch_dir("data_formats_json");
  std::ofstream(dir / "d.json", std::ios::binary) << "[{\"id\": \"x\", \"v\": [1, 2]}]";
  Dataset loaded = load_dataset(dir / "d.json", DataFormat::Json);
  CHECK(loaded.ids == std::vector<std::string>{"x"});
  CHECK(list_of(loaded.rows[0], "v") == std::vector<std::string>{"1", "2"});
}

TEST_CASE("JSON: bad input is an error naming the file, line and item", "[data][json]") {
  // Broken JSON inside the third item (index 2), on line 4.
  REQUIRE_THROWS_WITH(parse_json("[\n{\"a\": 1},\n{\"a\": 2},\n{\"a\": 3,}\n]", "bad.json"),
                      Contains("bad.json:4") && Contains("item 2") && Contains("invalid JSON"));
  REQUIRE_THROWS_WITH(parse_json("[{\"a\": 1},\n 5]", "bad.json"),
                      Contains("bad.json:2") && Contains("item 1 is not a JSON object"));
  REQUIRE_THROWS_WITH(parse_json("[{\"a\": 1}, [1]]", "bad.json"), Contains("item 1 is not a JSON object"));
  REQUIRE_THROWS_WITH(parse_json("[{\"a\": 1}, {\"b\": {\"c\": 1}}]", "bad.json"),
                      Contains("item 1: field 'b': nested objects are not supported"));
  REQUIRE_THROWS_WITH(parse_json("[{\"b\": [[1]]}]", "bad.json"),
                      Contains("item 0: field 'b': nested arrays are not supported"));
  REQUIRE_THROWS_WITH(parse_json("[{\"a\": 1}, {\"a\": 1, \"a\": 2}]", "bad.json"),
                      Contains("item 1: duplicate field 'a'"));
  REQUIRE_THROWS_WITH(parse_json("{\"data\": [], \"meta\": []}", "two.json"),
                      Contains("two.json:1") && Contains("exactly one key"));
  REQUIRE_THROWS_WITH(parse_json("{}", "none.json"), Contains("none.json") && Contains("exactly one key"));
  REQUIRE_THROWS_WITH(parse_json("{\"data\": {\"a\": 1}}", "obj.json"), Contains("exactly one key"));
  REQUIRE_THROWS_WITH(parse_json("{\"data\": 5}", "obj.json"), Contains("exactly one key"));
  REQUIRE_THROWS_WITH(parse_json("\"text\"", "scalar.json"), Contains("scalar.json") && Contains("array of objects"));
  REQUIRE_THROWS_WITH(parse_json("[{\"a\": 1}] [2]", "trailing.json"), Contains("trailing.json") && Contains("invalid JSON"));
  REQUIRE_THROWS_WITH(parse_json("[{\"a\": 1}", "open.json"), Contains("open.json") && Contains("invalid JSON"));
  REQUIRE_THROWS_WITH(parse_json(" \n", "blank.json"), Contains("blank.json") && Contains("empty JSON file"));
  REQUIRE_THROWS_WITH(parse_json("[{\"id\": \"x\"},\n{\"id\": \"x\"}]", "dup.json"),
                      Contains("dup.json:2") && Contains("duplicate item id 'x'"));
  REQUIRE_THROWS_WITH(parse_dataset("[{\"a\": \"\xff\"}]", DataFormat::Json, "utf8.json"),
                      Contains("utf8.json:1") && Contains("invalid UTF-8"));
}

TEST_CASE("Parquet: every value equals Python's str() of what pyarrow reads", "[data][parquet]") {
  Dataset data = load_dataset(parquet_dir() / "values.parquet", DataFormat::Parquet);
  CHECK(data.source == (parquet_dir() / "values.parquet").string());
  check_against_python(data, "values.parquet");
  REQUIRE(data.rows.size() == 10);  // four row groups of 3, 3, 3 and 1 rows
  CHECK(data.ids.front() == "q0");
  CHECK(data.ids.back() == "q9");
  // A few spelled out, so a reader sees the rules without opening expected.json.
  CHECK(text_of(data.rows[0], "question") == "대한민국의 수도는?");
  CHECK(text_of(data.rows[2], "question").empty());  // null
  CHECK(text_of(data.rows[0], "score") == "1.0");
  CHECK(text_of(data.rows[1], "score") == "0.5");
  CHECK(text_of(data.rows[0], "ok") == "True");
  CHECK(text_of(data.rows[1], "ok") == "False");
  CHECK(list_of(data.rows[3], "options") == std::vector<std::string>{"하나", "", "셋"});
  CHECK(text_of(data.rows[2], "options").empty());  // a null list is "", as null is in JSON
  CHECK(text_of(data.rows[6], "label") == "9223372036854775807");
  CHECK(text_of(data.rows[0], "big") == "18446744073709551615");
}

TEST_CASE("Parquet: float64 values print as Python's repr", "[data][parquet]") {
  check_against_python(load_dataset(parquet_dir() / "floats.parquet", DataFormat::Parquet), "floats.parquet");
}

TEST_CASE("Parquet: parse_dataset reads the same bytes the plan hashes", "[data][parquet]") {
  std::string bytes = read_file(parquet_dir() / "values.parquet");
  Dataset from_bytes = parse_dataset(bytes, DataFormat::Parquet, "values.parquet");
  CHECK(from_bytes.source == "values.parquet");
  check_against_python(from_bytes, "values.parquet");
}

TEST_CASE("Parquet: an unsupported column type is an error naming the file and column", "[data][parquet]") {
  REQUIRE_THROWS_WITH(load_dataset(parquet_dir() / "struct.parquet", DataFormat::Parquet),
                      Contains("struct.parquet") && Contains("column 'image' has type struct<") &&
                          Contains("which dokpa cannot read as text"));
}

TEST_CASE("Parquet: a truncated or foreign file is an error naming the file", "[data][parquet]") {
  auto dir = test::scratch_dir("data_formats_parquet");
  std::string bytes = read_file(parquet_dir() / "values.parquet");
  for (size_t keep : {bytes.size() / 2, bytes.size() - 1, size_t{4}, size_t{0}}) {
    INFO("kept " << keep << " of " << bytes.size() << " bytes");
    std::ofstream(dir / "truncated.parquet", std::ios::binary) << bytes.substr(0, keep);
    REQUIRE_THROWS_WITH(load_dataset(dir / "truncated.parquet", DataFormat::Parquet), Contains("truncated.parquet"));
    REQUIRE_THROWS_WITH(parse_dataset(bytes.substr(0, keep), DataFormat::Parquet, "cut.parquet"),
                        Contains("cut.parquet"));
  }
  // A damaged footer length (the 4 bytes before the closing magic) and a damaged page.
  std::string damaged = bytes;
  damaged[damaged.size() - 8] = '\xff';
  damaged[damaged.size() - 7] = '\xff';
  REQUIRE_THROWS_WITH(parse_dataset(damaged, DataFormat::Parquet, "footer.parquet"), Contains("footer.parquet"));
  std::ofstream(dir / "text.parquet", std::ios::binary) << "id,question\n1,not parquet\n";
  REQUIRE_THROWS_WITH(load_dataset(dir / "text.parquet", DataFormat::Parquet),
                      Contains("text.parquet") && Contains("Parquet"));
  REQUIRE_THROWS_WITH(load_dataset(dir / "missing.parquet", DataFormat::Parquet), Contains("missing.parquet"));
}
