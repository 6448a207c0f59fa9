#pragma once
// Shared helpers for dokpa tests: where the sources and the reference Python are, scratch
// folders, and running a reference script. Header-only so every test executable can use it.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>

#include "common/file_io.h"

namespace dokpa::test {

inline std::string env_or(const char* name, const std::string& fallback) {
  const char* value = std::getenv(name);
  return value && *value ? std::string(value) : fallback;
}

#ifndef DOKPA_TEST_SOURCE_DIR  // set by tests/CMakeLists.txt
#define DOKPA_TEST_SOURCE_DIR "."
#define DOKPA_TEST_BINARY_DIR "."
#define DOKPA_TEST_PYTHON "python3"
#endif

inline std::filesystem::path source_dir() { return env_or("DOKPA_SOURCE_DIR", DOKPA_TEST_SOURCE_DIR); }
inline std::string binary_dir() { return env_or("DOKPA_BINARY_DIR", DOKPA_TEST_BINARY_DIR); }
inline std::string python() { return env_or("DOKPA_PYTHON", DOKPA_TEST_PYTHON); }

// The converted default model (scripts/setup.sh puts it there). Tests that need it fail
// loudly when it is missing rather than skipping silently.
inline std::filesystem::path default_model_dir() {
  std::string cache = env_or("DOKPA_CACHE", env_or("HOME", "/root") + "/.cache/dokpa");
  return env_or("DOKPA_MODEL", cache + "/models/SmolLM2-135M-Instruct");
}

// Where reference fixtures (dokpa_add_reference_fixture) write their outputs.
inline std::filesystem::path reference_dir() {
  return env_or("DOKPA_REFERENCE_DIR", binary_dir() + "/reference");
}

// A fresh scratch folder under the build tree (kept after the test for inspection).
inline std::filesystem::path scratch_dir(const std::string& name) {
  std::filesystem::path base = binary_dir();
  std::filesystem::path dir = base / "test-scratch" / name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

inline std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += "'\\''";
    else out += c;
  }
  return out + "'";
}

// Runs a script under tests/reference/ with the reference Python; REQUIREs exit status 0.
inline void run_reference_script(const std::string& script, const std::string& args) {
  std::string command = shell_quote(python()) + " " +
                        shell_quote((source_dir() / "tests/reference" / script).string()) + " " + args;
  INFO("reference command: " << command);
  int status = std::system(command.c_str());
  REQUIRE(status == 0);
}

}  // namespace dokpa::test
