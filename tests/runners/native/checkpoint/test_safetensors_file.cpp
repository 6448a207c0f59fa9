// SafetensorsFile against files written by the real safetensors library, and against
// byte-level malformed files: each defect must be one dokpa::Error naming the file and problem.
#include <algorithm>
#include <cctype>
#include <cstring>
#include <functional>

#include <nlohmann/json.hpp>

#include "runners/native/checkpoint/safetensors_file.h"
#include "tests/runners/native/checkpoint/checkpoint_test_support.h"

namespace dokpa {
namespace {

using test::require_error;
using test::write_bytes;
using test::write_safetensors;

std::string to_hex(const std::byte* data, size_t n) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    auto b = std::to_integer<unsigned>(data[i]);
    out += digits[b >> 4];
    out += digits[b & 15];
  }
  return out;
}

TEST_CASE("SafetensorsFile reads what the safetensors library writes", "[checkpoint][safetensors]") {
  auto dir = test::safetensors_reference() / "single";
  auto expected = nlohmann::json::parse(read_file(dir / "expected.json"));
  auto file = SafetensorsFile::open(dir / "model.safetensors");

  REQUIRE(file.tensors().size() == expected["tensors"].size());
  REQUIRE(file.tensors().size() == 16);
  for (size_t i = 1; i < file.tensors().size(); ++i) CHECK(file.tensors()[i - 1].name < file.tensors()[i].name);

  for (const auto& [name, want] : expected["tensors"].items()) {
    INFO("tensor " << name);
    const TensorView* view = file.find(name);
    REQUIRE(view != nullptr);
    CHECK(view->name == name);
    CHECK(dtype_name(view->dtype) == want["dtype"].get<std::string>());
    CHECK(view->shape == want["shape"].get<std::vector<int64_t>>());
    CHECK(view->nbytes == static_cast<size_t>(view->numel()) * dtype_size(view->dtype));
    CHECK(to_hex(view->data, view->nbytes) == want["hex"].get<std::string>());
  }
  CHECK(file.find("scalar")->shape.empty());
  CHECK(file.find("scalar")->numel() == 1);
  CHECK(file.find("empty")->nbytes == 0);
  CHECK(file.find("bf16")->dtype == Dtype::BF16);
  CHECK(file.find("missing") == nullptr);
  CHECK(file.metadata() == expected["metadata"].get<std::map<std::string, std::string>>());
}

TEST_CASE("dtype names round-trip", "[checkpoint][safetensors]") {
  for (const char* name : {"F64", "F32", "F16", "BF16", "F8_E4M3", "F8_E5M2", "I64", "I32", "I16", "I8", "U8", "BOOL"}) {
    auto dtype = parse_dtype(name);
    REQUIRE(dtype);
    CHECK(dtype_name(*dtype) == name);
  }
  CHECK(dtype_size(Dtype::BF16) == 2);
  CHECK(dtype_size(Dtype::F64) == 8);
  CHECK_FALSE(parse_dtype("F4"));
  CHECK_FALSE(parse_dtype("f32"));
}

// A valid two-tensor file crafted by hand, as the baseline the defects below break.
const std::string kGoodHeader =
    R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"U8","shape":[4],"data_offsets":[8,12]}})";

TEST_CASE("a hand-written safetensors file is accepted", "[checkpoint][safetensors]") {
  auto path = test::scratch_dir("safetensors_good") / "good.safetensors";
  write_safetensors(path, kGoodHeader + "   ", std::string("\x00\x00\x80\x3f\x00\x00\x00\x40" "abcd", 12));
  auto file = SafetensorsFile::open(path);
  REQUIRE(file.tensors().size() == 2);
  float a[2];
  std::memcpy(a, file.find("a")->data, 8);
  CHECK(a[0] == 1.0f);
  CHECK(a[1] == 2.0f);
  CHECK(std::string(reinterpret_cast<const char*>(file.find("b")->data), 4) == "abcd");
}

TEST_CASE("malformed safetensors files are refused with a clear message", "[checkpoint][safetensors]") {
  auto dir = test::scratch_dir("safetensors_bad");
  auto path = dir / "bad.safetensors";
  auto open = [&] { SafetensorsFile::open(path); };
  const std::string data12(12, '\x01');

  SECTION("empty file") {
    write_bytes(path, "");
    require_error(open, path, {"truncated", "0 bytes"});
  }
  SECTION("truncated inside the length prefix") {
    write_bytes(path, std::string("\x10\x00\x00", 3));
    require_error(open, path, {"truncated", "3 bytes"});
  }
  SECTION("truncated inside the header") {
    std::string whole = test::le_u64(kGoodHeader.size()) + kGoodHeader + data12;
    write_bytes(path, whole.substr(0, 40));
    require_error(open, path, {"header length", "past the end of the file"});
  }
  SECTION("truncated inside the data") {
    write_safetensors(path, kGoodHeader, data12.substr(0, 10));
    require_error(open, path, {"tensor 'b'", "[8, 12]", "past the end of the data section (10 bytes)"});
  }
  SECTION("header length past the end of the file") {
    write_bytes(path, test::le_u64(5000) + kGoodHeader + data12);
    require_error(open, path, {"header length 5000 runs past the end of the file"});
  }
  SECTION("absurd header length") {
    write_bytes(path, test::le_u64(uint64_t{1} << 62) + kGoodHeader);
    require_error(open, path, {"exceeds the 100000000-byte limit"});
  }
  SECTION("header not JSON") {
    write_safetensors(path, "{\"a\": not json", data12);
    require_error(open, path, {"header is not valid JSON"});
  }
  SECTION("header JSON but not an object") {
    write_safetensors(path, "[1, 2, 3]", "");
    require_error(open, path, {"header is not a JSON object"});
  }
  SECTION("overlapping offsets") {
    write_safetensors(path,
                      R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                      R"("b":{"dtype":"U8","shape":[4],"data_offsets":[4,8]}})",
                      std::string(8, '\0'));
    require_error(open, path, {"tensor 'b': data_offsets [4, 8] overlap tensor 'a' [0, 8]"});
  }
  SECTION("offsets out of range") {
    write_safetensors(path,
                      R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                      R"("b":{"dtype":"U8","shape":[4],"data_offsets":[8,12]}})",
                      std::string(8, '\0'));
    require_error(open, path, {"tensor 'b'", "run past the end of the data section (8 bytes)"});
  }
  SECTION("end before begin") {
    write_safetensors(path, R"({"a":{"dtype":"U8","shape":[0],"data_offsets":[8,0]}})", std::string(8, '\0'));
    require_error(open, path, {"tensor 'a'", "[8, 0] end before they begin"});
  }
  SECTION("dtype/shape size mismatch") {
    write_safetensors(path, R"({"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", std::string(8, '\0'));
    require_error(open, path, {"tensor 'a'", "span 8 bytes but dtype F32 with shape [3] needs 12"});
  }
  SECTION("shape whose byte size overflows") {
    write_safetensors(path,
                      R"({"a":{"dtype":"F64","shape":[4294967296,4294967296],"data_offsets":[0,0]}})", "");
    require_error(open, path, {"tensor 'a'", "too large"});
  }
  SECTION("negative dimension") {
    write_safetensors(path, R"({"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,0]}})", "");
    require_error(open, path, {"tensor 'a'", "shape must hold non-negative integers", "-1"});
  }
  SECTION("unknown dtype") {
    write_safetensors(path, R"({"a":{"dtype":"F128","shape":[1],"data_offsets":[0,16]}})", std::string(16, '\0'));
    require_error(open, path, {"tensor 'a'", "unknown dtype 'F128'"});
  }
  SECTION("missing field") {
    write_safetensors(path, R"({"a":{"dtype":"U8","shape":[1]}})", std::string(1, '\0'));
    require_error(open, path, {"tensor 'a'", "missing 'data_offsets'"});
  }
  SECTION("duplicate tensor name") {
    write_safetensors(path,
                      R"({"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},)"
                      R"("a":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}})",
                      "xy");
    require_error(open, path, {"header has key 'a' twice"});
  }
  SECTION("bytes that belong to no tensor") {
    write_safetensors(path, R"({"a":{"dtype":"U8","shape":[4],"data_offsets":[4,8]}})", std::string(8, '\0'));
    require_error(open, path, {"bytes [0, 4) belong to no tensor"});
    write_safetensors(path, R"({"a":{"dtype":"U8","shape":[4],"data_offsets":[0,4]}})", std::string(8, '\0'));
    require_error(open, path, {"4 trailing bytes"});
  }
  SECTION("metadata that is not a string map") {
    write_safetensors(path, R"({"__metadata__":{"n":3}})", "");
    require_error(open, path, {"__metadata__ 'n' must be a string"});
  }
  SECTION("a zip archive (torch.save) named .safetensors") {
    write_bytes(path, std::string("PK\x03\x04\x14\x00\x00\x00\x08\x00archive/data.pkl", 26));
    require_error(open, path, {"zip archive", "pickled checkpoints are refused", "execute code"});
  }
  SECTION("a legacy pickle named .safetensors") {
    write_bytes(path, std::string("\x80\x02\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19.", 15));
    require_error(open, path, {"pickle", "pickled checkpoints are refused"});
  }
  SECTION("missing file") {
    require_error([&] { SafetensorsFile::open(dir / "absent.safetensors"); }, dir / "absent.safetensors",
                  {"cannot open"});
  }
}

TEST_CASE("a header length that starts like a pickle opcode is still read as safetensors",
          "[checkpoint][safetensors]") {
  // 0x0280 = 640: the first two bytes are 0x80 0x02, the pickle protocol-2 signature.
  auto path = test::scratch_dir("safetensors_640") / "model.safetensors";
  std::string header = R"({"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]}})";
  header.resize(640, ' ');
  write_safetensors(path, header, "hi");
  auto file = SafetensorsFile::open(path);
  CHECK(file.find("a")->nbytes == 2);
}

}  // namespace
}  // namespace dokpa

namespace dokpa {
namespace {

// Deterministic mutation fuzzing: a corrupted file either opens with every view inside the
// mapped file, or fails with dokpa::Error — never another exception or a crash.
TEST_CASE("mutated safetensors files never escape as anything but dokpa::Error", "[checkpoint][safetensors][fuzz]") {
  auto original = read_file(test::safetensors_reference() / "single" / "model.safetensors");
  auto path = test::scratch_dir("safetensors_fuzz") / "model.safetensors";
  uint64_t state = 0x5eed;
  auto next = [&state] {  // splitmix64
    uint64_t z = (state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  };
  uint64_t header_end = 8;
  for (int i = 0; i < 8; ++i) header_end += uint64_t(uint8_t(original[i])) << (8 * i);

  int opened = 0, refused = 0;
  for (int round = 0; round < 1500; ++round) {
    std::string bytes = original;
    int kind = static_cast<int>(next() % 4);
    if (kind == 0) {  // flip bytes, mostly in the length prefix and header
      for (int n = 1 + static_cast<int>(next() % 3); n > 0; --n)
        bytes[next() % header_end] = static_cast<char>(next());
    } else if (kind == 1) {  // truncate
      bytes.resize(next() % bytes.size());
    } else if (kind == 2) {  // replace a digit in the header (offsets, shapes)
      size_t at = 8 + next() % (header_end - 8);
      while (at < header_end && !std::isdigit(static_cast<unsigned char>(bytes[at]))) ++at;
      if (at < header_end) bytes[at] = static_cast<char>('0' + next() % 10);
    } else {  // append junk
      bytes += std::string(1 + next() % 16, static_cast<char>(next()));
    }
    test::write_bytes(path, bytes);
    try {
      auto file = SafetensorsFile::open(path);
      // Accepted spans tile one region no larger than the file.
      std::vector<const TensorView*> views;
      for (const auto& t : file.tensors()) {
        REQUIRE(t.nbytes == static_cast<size_t>(t.numel()) * dtype_size(t.dtype));
        views.push_back(&t);
      }
      std::sort(views.begin(), views.end(), [](auto* a, auto* b) {
        return std::less<const std::byte*>()(a->data, b->data) || (a->data == b->data && a->nbytes < b->nbytes);
      });
      size_t total = 0;
      for (size_t i = 0; i < views.size(); ++i) {
        if (i > 0) REQUIRE(views[i]->data == views[i - 1]->data + views[i - 1]->nbytes);
        total += views[i]->nbytes;
      }
      REQUIRE(total <= bytes.size());
      ++opened;
    } catch (const dokpa::Error& e) {
      REQUIRE(std::string(e.what()).find(path.string()) != std::string::npos);
      ++refused;
    }
  }
  CHECK(refused > 1000);
  INFO("opened " << opened << ", refused " << refused);
}

}  // namespace
}  // namespace dokpa
