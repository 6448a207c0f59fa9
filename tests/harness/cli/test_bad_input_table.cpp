// Bad suites, submissions and data files (issue 7, "hostile inputs"): each row breaks one file;
// `dokpa run` (and `dokpa data check` where it reads that file) must exit non-zero with exactly
// the row's error line and leave the store unchanged. Checkpoint files: test_bad_input.cpp.
#include <catch2/catch.hpp>

#include "tests/harness/cli/bad_input_support.h"

using namespace dokpa;
using namespace dokpa::test;
using namespace dokpa::test::bad_input;

namespace {

// A row whose suite is `suite_text`.
Row suite(std::string name, std::string breaks, std::string suite_text, std::string message, bool data_check = true) {
  return Row{name, "tiny.yaml: " + breaks, [=](Case& c) { write_text(c.suite, suite_text); },
             "dokpa: error: {dir}/tiny.yaml: " + message, data_check};
}

// A row whose submission is `submission_text` ({dir} is replaced by the row's folder).
Row submission(std::string name, std::string breaks, std::string submission_text, std::string message) {
  return Row{name, "submission.yaml: " + breaks,
             [=](Case& c) { write_text(c.submission, replace_all(submission_text, "{dir}", c.dir.string())); },
             "dokpa: error: {dir}/submission.yaml: " + message};
}

// A row whose task reads `file` (written as `bytes`) in `format`; `message` follows "<file>".
Row data_file(std::string name, std::string breaks, std::string file, std::string format, std::string bytes,
              std::string message) {
  return Row{name, file + ": " + breaks,
             [=](Case& c) {
               write_text(c.dir / file, bytes);
               write_text(c.suite, tiny_suite(file, format));
             },
             "dokpa: error: {dir}/" + file + message};
}

// Writes a Parquet file with pyarrow (the reference Python): `columns` is a Python dict literal.
void write_parquet(const fs::path& path, const std::string& columns) {
  std::string script =
      "import pyarrow as pa, pyarrow.parquet as pq; pq.write_table(pa.table(" + columns + "), '" + path.string() + "')";
  REQUIRE(std::system((shell_quote(python()) + " -c " + shell_quote(script)).c_str()) == 0);
}

const std::string kTaskTail =
    "    prompt: \"{{question}}\"\n    choices: [A, B, C, D]\n    gold: {field: answer, base: 1}\n";

}  // namespace

TEST_CASE("bad suite files are refused with the field named, store unchanged", "[cli][bad-input][smollm2]") {
  const std::string head = "name: tiny\nversion: 1\nseed: 1\ntasks:\n";
  const std::vector<Row> rows = {
      suite("suite_malformed_yaml", "an unclosed flow sequence", "name: tiny\ntasks:\n  - name: [unclosed\n",
            "malformed YAML: end of sequence flow not found (line 4)"),
      suite("suite_unknown_field", "a misspelt task field", tiny_suite("tiny.csv", "csv", "    promt: \"typo\"\n"),
            "task 'tiny_mc': unknown field 'promt' (line 8)"),
      suite("suite_path_climbs_out", "a dataset path ../outside.csv", tiny_suite("../outside.csv"),
            "task 'tiny_mc': dataset: field 'path': '../outside.csv' climbs out of the data root with '..' (line 7)"),
      suite("suite_path_climbs_out_inside", "a dataset path a/../../outside.csv", tiny_suite("a/../../outside.csv"),
            "task 'tiny_mc': dataset: field 'path': 'a/../../outside.csv' climbs out of the data root with '..' "
            "(line 7)"),
      suite("suite_path_absolute", "an absolute dataset path", tiny_suite("/etc/passwd"),
            "task 'tiny_mc': dataset: field 'path': '/etc/passwd' is absolute; data paths are relative to the data "
            "root (line 7)"),
      suite("suite_fewshot_path_climbs_out", "a few-shot source path ../dev.csv",
            tiny_suite("tiny.csv", "csv", "    fewshot: {count: 1, source: {format: csv, path: ../dev.csv}}\n"),
            "task 'tiny_mc': fewshot: source: field 'path': '../dev.csv' climbs out of the data root with '..' "
            "(line 8)"),
      Row{"suite_symlink_escapes", "tiny.yaml: data/tiny.csv is a symlink to a file outside the data root",
          [](Case& c) {
            fs::create_directories(c.dir / "data");
            fs::create_symlink(c.dir / "tiny.csv", c.dir / "data" / "tiny.csv");
            write_text(c.suite, "data_root: data\n" + tiny_suite("tiny.csv"));
          },
          "dokpa: error: {dir}/tiny.yaml: task 'tiny_mc': data file 'tiny.csv' leads through a symlink to "
          "'{dir}/tiny.csv', outside the data root '{dir}/data' (copy the file into the data root)",
          true},
      suite("suite_unknown_output", "output: judge",
            head + "  - name: t\n    output: judge\n    dataset: {format: csv, path: tiny.csv}\n" + kTaskTail,
            "task 't': field 'output': must be multiple_choice, generate or generate_choice, got 'judge' (line 6)"),
      suite("suite_duplicate_task", "two tasks named t",
            head + "  - name: t\n    output: multiple_choice\n    dataset: {format: csv, path: tiny.csv}\n" +
                kTaskTail + "  - name: t\n    output: multiple_choice\n    dataset: {format: csv, path: tiny.csv}\n" +
                kTaskTail,
            "task 't': duplicate task name"),
      suite("suite_unknown_format", "dataset format xml", tiny_suite("tiny.csv", "xml"),
            "task 'tiny_mc': dataset: field 'format': unknown format 'xml' (line 7)"),
      Row{"suite_missing_data_file", "tiny.yaml: the dataset file does not exist",
          [](Case& c) { write_text(c.suite, tiny_suite("missing.csv")); },
          "dokpa: error: {dir}/missing.csv: file not found"},
  };
  for (const Row& row : rows) check_row(row);
}

TEST_CASE("bad submission files are refused with the field named, store unchanged", "[cli][bad-input][smollm2]") {
  const std::string model = default_model_dir().string();
  const std::string base = "team: test\nmodel: tiny\nkind: llm\ncheckpoint: " + model + "\n";
  const std::vector<Row> rows = {
      submission("submission_missing_field", "no model", "team: test\nkind: llm\ncheckpoint: " + model + "\n",
                 "field 'model': is required (line 1)"),
      submission("submission_unknown_runner", "runner: vllm", base + "runner: vllm\n",
                 "field 'runner': must be one of native, openai, got 'vllm' (line 5)"),
      submission("submission_unknown_dtype", "dtype: int4", base + "dtype: int4\n",
                 "field 'dtype': must be one of float32, bfloat16, float16, got 'int4' (line 5)"),
      submission("submission_unknown_field", "a misspelt field", base + "batchsize: 4\n",
                 "unknown field 'batchsize' (line 5)"),
      Row{"submission_checkpoint_missing", "submission.yaml: the checkpoint folder does not exist",
          [](Case& c) { write_text(c.submission, submission_for(c.dir / "no-such-checkpoint")); },
          "dokpa: error: {dir}/no-such-checkpoint: checkpoint folder not found"},
      Row{"submission_chat_template_outside", "submission.yaml: chat_template names a file outside its folders",
          [](Case& c) {
            fs::path elsewhere = c.dir.parent_path() / (c.dir.filename().string() + "_elsewhere");
            write_text(elsewhere / "secret.json", "{\"chat_template\": \"{{ 'x' }}\"}");
            write_text(c.dir / "sub" / "submission.yaml",
                       submission_for(default_model_dir(), "prompt_format: chat\nchat_template: ../../" +
                                                               c.dir.filename().string() + "_elsewhere/secret.json\n"));
            c.submission = c.dir / "sub" / "submission.yaml";
          },
          "dokpa: error: {dir}/sub/submission.yaml: field 'chat_template': '{dir}_elsewhere/secret.json' is outside "
          "both the checkpoint folder and the submission's folder (copy the file into one of them) (line 10)"},
  };
  for (const Row& row : rows) check_row(row);
}

TEST_CASE("bad CSV, JSONL and Parquet files are refused with the line named, store unchanged",
          "[cli][bad-input][smollm2]") {
  const std::string header = "question,answer,A,B,C,D\n";
  const std::vector<Row> rows = {
      data_file("csv_broken_quoting", "a quoted field never closed", "broken.csv", "csv",
                std::string(kTinyCsv) + "\"unterminated,1,a,b,c,d\n", ":4: quoted field is never closed"),
      data_file("csv_quote_in_field", "a bare quote inside a field", "quote.csv", "csv", header + "ab\"c,1,a,b,c,d\n",
                ":2: quote inside an unquoted field (quote the whole field and double "
                "the quote)"),
      data_file("csv_ragged_row", "a row with a field too few", "ragged.csv", "csv", header + "q,1,a,b,c\n",
                ":2: row has 5 fields, the header has 6"),
      data_file("csv_missing_column", "no column D", "nod.csv", "csv", "question,answer,A,B,C\nq,1,a,b,c\n",
                ":2: task 'tiny_mc': prompt: unknown field 'D' (item '0' has question, answer, A, B, C)"),
      data_file("csv_not_utf8", "a Latin-1 byte", "latin1.csv", "csv", header + "caf\xe9,1,a,b,c,d\n",
                ":2: invalid UTF-8 at byte 27"),
      data_file("csv_empty", "an empty file", "empty.csv", "csv", "", ": empty CSV file (no header row)"),
      data_file("csv_header_only", "a header and no rows", "header.csv", "csv", header,
                ": task 'tiny_mc': the dataset file has no rows"),
      data_file("jsonl_bad_line", "line 2 is not JSON", "bad.jsonl", "jsonl",
                "{\"question\": \"q\", \"answer\": \"1\", \"A\": \"a\", \"B\": \"b\", \"C\": \"c\", \"D\": \"d\"}\n"
                "{\"question\": \"q2\", \"answer\": \n",
                ":2: invalid JSON: [json.exception.parse_error.101] parse error at line 1, column 30: syntax error "
                "while parsing value - unexpected end of input; expected '[', '{', or a literal"),
      data_file("jsonl_not_object", "line 1 is a list", "list.jsonl", "jsonl", "[1, 2]\n",
                ":1: line is not a JSON object"),
      data_file("parquet_not_parquet", "a CSV named .parquet", "fake.parquet", "parquet", kTinyCsv,
                ": cannot read it as Parquet: Invalid: Parquet magic bytes not found in footer. Either the file is "
                "corrupted or this is not a parquet file."),
      Row{"parquet_missing_column", "nod.parquet: no column D",
          [](Case& c) {
            write_parquet(c.dir / "nod.parquet",
                          "{'question': ['q'], 'answer': ['1'], 'A': ['a'], 'B': ['b'], 'C': ['c']}");
            write_text(c.suite, tiny_suite("nod.parquet", "parquet"));
          },
          "dokpa: error: {dir}/nod.parquet:1: task 'tiny_mc': prompt: unknown field 'D' (item '0' has question, "
          "answer, "
          "A, B, C)"},
  };
  for (const Row& row : rows) check_row(row);
}
