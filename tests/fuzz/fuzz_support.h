#pragma once
// Shared by the libFuzzer targets of this folder. A dokpa::Error is a parser's clean rejection of
// bad input and is expected; anything else that escapes a parser (another exception, a
// std::bad_alloc from a size taken from the input) reaches std::terminate and is a finding, as is
// every AddressSanitizer or UndefinedBehaviorSanitizer report.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "common/error.h"

namespace dokpa::fuzz {

inline std::string_view as_text(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// Runs `parse`; a dokpa::Error is swallowed, everything else propagates.
template <typename F>
void expect_clean(F&& parse) {
  try {
    parse();
  } catch (const dokpa::Error&) {
  }
}

// A property of an accepted input does not hold: report it and crash, so libFuzzer keeps the input.
[[noreturn]] inline void fail(const std::string& what) {
  std::fprintf(stderr, "fuzz property violated: %s\n", what.c_str());
  std::abort();
}

// For parsers that only open paths: writes the input to one file per process in /dev/shm
// (memory-backed, so a run costs no disk I/O) and returns its path. Removed at exit.
inline const std::filesystem::path& write_input(const uint8_t* data, size_t size, const char* name) {
  static const std::filesystem::path path = [&] {
    std::filesystem::path dir = std::filesystem::exists("/dev/shm") ? "/dev/shm" : std::filesystem::temp_directory_path();
    return dir / ("dokpa-fuzz-" + std::to_string(::getpid()) + "-" + name);
  }();
  static const bool cleanup_registered = [] {
    std::atexit([] { std::filesystem::remove(path); });
    return true;
  }();
  (void)cleanup_registered;
  std::ofstream(path, std::ios::binary | std::ios::trunc).write(reinterpret_cast<const char*>(data),
                                                                static_cast<std::streamsize>(size));
  return path;
}

}  // namespace dokpa::fuzz
