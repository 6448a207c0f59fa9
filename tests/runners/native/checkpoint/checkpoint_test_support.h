#pragma once
// Helpers for the checkpoint tests: writing byte-level safetensors files, asserting on the
// dokpa::Error a bad input raises, and locating the reference files the Python scripts write.
#include <catch2/catch.hpp>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>

#include <unistd.h>

#include "common/error.h"
#include "tests/test_support.h"

namespace dokpa::test {

inline void write_bytes(const std::filesystem::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  REQUIRE(out.good());
}

// The 8-byte little-endian header length safetensors files start with.
inline std::string le_u64(uint64_t value) {
  std::string out(8, '\0');
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>((value >> (8 * i)) & 0xff);
  return out;
}

// A safetensors file: length prefix, `header` verbatim, then `data`.
inline void write_safetensors(const std::filesystem::path& path, const std::string& header, const std::string& data) {
  write_bytes(path, le_u64(header.size()) + header + data);
}

// Runs `action`, REQUIREs a dokpa::Error, and checks that what() names `file` and contains
// every one of `parts`.
inline void require_error(const std::function<void()>& action, const std::filesystem::path& file,
                          std::initializer_list<std::string> parts) {
  try {
    action();
  } catch (const dokpa::Error& e) {
    std::string what = e.what();
    INFO("error: " << what);
    CHECK(what.find(file.string()) != std::string::npos);
    for (const auto& part : parts) CHECK(what.find(part) != std::string::npos);
    return;
  }
  FAIL("expected a dokpa::Error naming " << file);
}

// Output folder of a reference script. CTest runs the script once as a fixture; when it has
// not (the test binary run alone), the script runs here, into a private folder renamed into
// place at the end, so test processes running side by side never read half-written files.
inline std::filesystem::path reference_output(const std::string& script, const std::string& folder,
                                              const std::string& marker) {
  std::filesystem::path out = reference_dir() / folder;
  if (!std::filesystem::exists(out / marker)) {
    std::filesystem::path tmp = reference_dir() / (folder + ".tmp-" + std::to_string(::getpid()));
    std::filesystem::remove_all(tmp);
    std::filesystem::create_directories(tmp);
    run_reference_script(script, "--out " + shell_quote(tmp.string()));
    std::error_code ec;
    std::filesystem::rename(tmp, out, ec);  // fails harmlessly if another process got there first
    if (ec && !std::filesystem::exists(out / marker)) {  // a stale, incomplete folder from an earlier run
      std::filesystem::remove_all(out, ec);
      std::filesystem::rename(tmp, out, ec);
    }
    std::filesystem::remove_all(tmp, ec);
  }
  REQUIRE(std::filesystem::exists(out / marker));
  return out;
}

inline std::filesystem::path safetensors_reference() {
  return reference_output("checkpoint_safetensors.py", "checkpoint", "sharded_expected.json");
}
inline std::filesystem::path rope_reference() {
  return reference_output("checkpoint_rope.py", "checkpoint_rope", "rope_expected.json");
}

}  // namespace dokpa::test
