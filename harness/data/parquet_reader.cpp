// Parquet reader, through Apache Arrow's C++ Parquet reader from the pyarrow wheel
// (cmake/arrow.cmake). The only file that includes Arrow: its headers are heavy to compile.
//
// Every value becomes the text Python's str() gives for the value pyarrow returns, because that
// is what lm-eval's Jinja templates render: floats in repr form (1.0 -> "1.0"), booleans
// "True"/"False" (the JSON and JSONL readers write booleans the same way), null -> "".
#include <arrow/array.h>
#include <arrow/buffer.h>
#include <arrow/io/file.h>
#include <arrow/io/memory.h>
#include <arrow/table.h>
#include <arrow/type.h>
#include <arrow/util/float16.h>
#include <parquet/arrow/reader.h>
#include <parquet/exception.h>

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <set>

#include "common/error.h"
#include "harness/data/dataset.h"
#include "harness/data/unicode_text.h"

namespace dokpa {
namespace {

// Python's repr() of a double: the shortest digits that read back to the same value; positional
// when the decimal point falls within [-4, 16) digits of the first digit, else d.ddde±XX.
std::string python_float(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value < 0 ? "-inf" : "inf";
  char buffer[64];
  auto result = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::scientific);
  std::string_view sci(buffer, static_cast<size_t>(result.ptr - buffer));  // "-1.25e+17", "0e+00"
  std::string out;
  if (sci.front() == '-') {
    out += '-';
    sci.remove_prefix(1);
  }
  size_t e = sci.find('e');
  std::string digits;
  for (char c : sci.substr(0, e)) {
    if (c != '.') digits += c;
  }
  int exponent = std::atoi(std::string(sci.substr(e + 1)).c_str());
  int point = exponent + 1;  // value = 0.<digits> * 10^point, as in Python's float_repr_style 'short'
  int n = static_cast<int>(digits.size());
  if (point > -4 && point <= 16) {
    // (appends rather than operator+: GCC 12 gives a false -Wrestrict on "0." + std::string)
    if (point <= 0) {
      out.append("0.").append(static_cast<size_t>(-point), '0').append(digits);
    } else if (point >= n) {
      out.append(digits).append(static_cast<size_t>(point - n), '0').append(".0");
    } else {
      out.append(digits, 0, static_cast<size_t>(point)).append(".").append(digits, static_cast<size_t>(point));
    }
  } else {
    out += digits[0];
    if (n > 1) out.append(".").append(digits, 1);
    out += exponent < 0 ? "e-" : "e+";
    int magnitude = std::abs(exponent);
    if (magnitude < 10) out += '0';
    out += std::to_string(magnitude);
  }
  return out;
}

// Types read as one string.
bool is_scalar_type(const arrow::DataType& type) {
  switch (type.id()) {
    case arrow::Type::NA:
    case arrow::Type::BOOL:
    case arrow::Type::INT8: case arrow::Type::INT16: case arrow::Type::INT32: case arrow::Type::INT64:
    case arrow::Type::UINT8: case arrow::Type::UINT16: case arrow::Type::UINT32: case arrow::Type::UINT64:
    case arrow::Type::HALF_FLOAT: case arrow::Type::FLOAT: case arrow::Type::DOUBLE:
    case arrow::Type::STRING: case arrow::Type::LARGE_STRING: case arrow::Type::STRING_VIEW:
      return true;
    case arrow::Type::DICTIONARY: {
      const auto& dict = static_cast<const arrow::DictionaryType&>(type);
      return dict.value_type()->id() != arrow::Type::DICTIONARY && is_scalar_type(*dict.value_type());
    }
    default:
      return false;
  }
}

bool is_list_type(const arrow::DataType& type) {
  switch (type.id()) {
    case arrow::Type::LIST: case arrow::Type::LARGE_LIST: case arrow::Type::FIXED_SIZE_LIST:
      return is_scalar_type(*static_cast<const arrow::BaseListType&>(type).value_type());
    default:
      return false;
  }
}

class RowReader {
 public:
  explicit RowReader(const std::string& source) : source_(source) {}

  // The text of array[i] (a scalar type); `column` and `row` (0-based) name it in errors.
  std::string scalar(const arrow::Array& array, int64_t i, const std::string& column, int64_t row) const {
    if (array.IsNull(i)) return "";
    switch (array.type_id()) {
      case arrow::Type::BOOL: return static_cast<const arrow::BooleanArray&>(array).Value(i) ? "True" : "False";
      case arrow::Type::INT8: return integer<arrow::Int8Array>(array, i);
      case arrow::Type::INT16: return integer<arrow::Int16Array>(array, i);
      case arrow::Type::INT32: return integer<arrow::Int32Array>(array, i);
      case arrow::Type::INT64: return integer<arrow::Int64Array>(array, i);
      case arrow::Type::UINT8: return integer<arrow::UInt8Array>(array, i);
      case arrow::Type::UINT16: return integer<arrow::UInt16Array>(array, i);
      case arrow::Type::UINT32: return integer<arrow::UInt32Array>(array, i);
      case arrow::Type::UINT64: return integer<arrow::UInt64Array>(array, i);
      case arrow::Type::HALF_FLOAT:
        return python_float(
            arrow::util::Float16::FromBits(static_cast<const arrow::HalfFloatArray&>(array).Value(i)).ToDouble());
      case arrow::Type::FLOAT: return python_float(static_cast<const arrow::FloatArray&>(array).Value(i));
      case arrow::Type::DOUBLE: return python_float(static_cast<const arrow::DoubleArray&>(array).Value(i));
      case arrow::Type::STRING: return text(static_cast<const arrow::StringArray&>(array).GetView(i), column, row);
      case arrow::Type::LARGE_STRING:
        return text(static_cast<const arrow::LargeStringArray&>(array).GetView(i), column, row);
      case arrow::Type::STRING_VIEW:
        return text(static_cast<const arrow::StringViewArray&>(array).GetView(i), column, row);
      case arrow::Type::DICTIONARY: {
        const auto& dict = static_cast<const arrow::DictionaryArray&>(array);
        return scalar(*dict.dictionary(), dict.GetValueIndex(i), column, row);
      }
      default: break;  // NA is always null; other types were refused with the schema
    }
    throw Error(where(row), "column '" + column + "': unexpected type " + array.type()->ToString());
  }

  FieldValue value(const arrow::Array& array, int64_t i, const std::string& column, int64_t row) const {
    if (!is_list_type(*array.type()) || array.IsNull(i)) return scalar(array, i, column, row);
    int64_t offset = 0;
    int64_t length = 0;
    std::shared_ptr<arrow::Array> values;
    switch (array.type_id()) {
      case arrow::Type::LIST: list_span<arrow::ListArray>(array, i, offset, length, values); break;
      case arrow::Type::LARGE_LIST: list_span<arrow::LargeListArray>(array, i, offset, length, values); break;
      default: list_span<arrow::FixedSizeListArray>(array, i, offset, length, values); break;
    }
    std::vector<std::string> list;
    list.reserve(static_cast<size_t>(length));
    for (int64_t k = 0; k < length; ++k) list.push_back(scalar(*values, offset + k, column, row));
    return list;
  }

  std::string where(int64_t row) const { return source_ + ":" + std::to_string(row + 1); }

 private:
  template <typename ArrayType>
  static std::string integer(const arrow::Array& array, int64_t i) {
    return std::to_string(static_cast<const ArrayType&>(array).Value(i));
  }

  template <typename ArrayType>
  static void list_span(const arrow::Array& array, int64_t i, int64_t& offset, int64_t& length,
                        std::shared_ptr<arrow::Array>& values) {
    const auto& list = static_cast<const ArrayType&>(array);
    offset = list.value_offset(i);
    length = list.value_length(i);
    values = list.values();
  }

  std::string text(std::string_view view, const std::string& column, int64_t row) const {
    size_t bad = first_invalid_utf8(view);
    if (bad != std::string::npos) {
      throw Error(where(row), "column '" + column + "': invalid UTF-8 at byte " + std::to_string(bad) + " of the value");
    }
    return std::string(view);
  }

  const std::string& source_;
};

// Arrow reports problems as Status; the Parquet layer can also throw ParquetException.
[[noreturn]] void fail(const std::string& source, const arrow::Status& status) {
  throw Error(source, "cannot read it as Parquet: " + status.ToString());
}

std::shared_ptr<arrow::Table> read_table(std::shared_ptr<arrow::io::RandomAccessFile> file, const std::string& source) {
  std::unique_ptr<parquet::arrow::FileReader> reader;
  std::shared_ptr<arrow::Schema> schema;
  try {
    auto opened = parquet::arrow::OpenFile(std::move(file), arrow::default_memory_pool());
    if (!opened.ok()) fail(source, opened.status());
    reader = std::move(opened).ValueUnsafe();
    arrow::Status status = reader->GetSchema(&schema);
    if (!status.ok()) fail(source, status);
  } catch (const parquet::ParquetException& e) {
    throw Error(source, std::string("cannot read it as Parquet: ") + e.what());
  }
  // Refuse unsupported columns before reading any data.
  std::set<std::string> names;
  for (const std::shared_ptr<arrow::Field>& field : schema->fields()) {
    const std::string& name = field->name();
    if (first_invalid_utf8(name) != std::string::npos) throw Error(source, "a column name is not valid UTF-8");
    if (!names.insert(name).second) throw Error(source, "duplicate column '" + name + "'");
    if (!is_scalar_type(*field->type()) && !is_list_type(*field->type())) {
      throw Error(source, "column '" + name + "' has type " + field->type()->ToString() +
                              ", which dokpa cannot read as text (it reads strings, integers, floats, booleans, "
                              "nulls and lists of those)");
    }
  }
  try {
    auto table = reader->ReadTable();
    if (!table.ok()) fail(source, table.status());
    return std::move(table).ValueUnsafe();
  } catch (const parquet::ParquetException& e) {
    throw Error(source, std::string("cannot read it as Parquet: ") + e.what());
  }
}

Dataset to_dataset(const arrow::Table& table, const std::string& source) {
  Dataset dataset;
  dataset.source = source;
  int64_t num_rows = table.num_rows();
  dataset.rows.resize(static_cast<size_t>(num_rows));
  dataset.lines.reserve(static_cast<size_t>(num_rows));
  for (int64_t row = 0; row < num_rows; ++row) dataset.lines.push_back(static_cast<size_t>(row + 1));
  RowReader reader(source);
  // Column by column keeps each record's fields in column order; chunks are the row groups.
  for (int c = 0; c < table.num_columns(); ++c) {
    const std::string& name = table.field(c)->name();
    int64_t row = 0;
    for (const std::shared_ptr<arrow::Array>& chunk : table.column(c)->chunks()) {
      for (int64_t i = 0; i < chunk->length(); ++i, ++row) {
        dataset.rows[static_cast<size_t>(row)].add(name, reader.value(*chunk, i, name, row));
      }
    }
    if (row != num_rows) throw Error(source, "column '" + name + "' has " + std::to_string(row) + " rows, the table " + std::to_string(num_rows));
  }
  assign_item_ids(dataset);
  return dataset;
}

}  // namespace

Dataset parse_parquet(std::string_view bytes, const std::string& source) {
  // Not owned: the table is turned into strings before `bytes` can go away.
  auto buffer = std::make_shared<arrow::Buffer>(reinterpret_cast<const uint8_t*>(bytes.data()),
                                                static_cast<int64_t>(bytes.size()));
  auto table = read_table(std::make_shared<arrow::io::BufferReader>(buffer), source);
  return to_dataset(*table, source);
}

Dataset read_parquet(const std::filesystem::path& path) {
  std::string source = path.string();
  auto file = arrow::io::ReadableFile::Open(source);
  if (!file.ok()) throw Error(source, "cannot open: " + file.status().ToString());
  auto table = read_table(std::move(file).ValueUnsafe(), source);
  return to_dataset(*table, source);
}

}  // namespace dokpa
