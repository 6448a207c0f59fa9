# DOKPA_FUZZ: every file is compiled with AddressSanitizer, UndefinedBehaviorSanitizer (any report
# aborts) and libFuzzer's coverage instrumentation; the targets in tests/fuzz/ link libFuzzer's
# main. Debian's clang with libclang-rt-14-dev provides all three; GCC has no libFuzzer.
if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  message(FATAL_ERROR "DOKPA_FUZZ needs clang (libFuzzer): configure with -DCMAKE_CXX_COMPILER=clang++ "
                      "(scripts/fuzz.sh does)")
endif()
# The flags below choose the optimisation level; no build type adds its own.
if(NOT CMAKE_BUILD_TYPE)
  set(CMAKE_BUILD_TYPE Fuzz)
endif()
# No Arrow in this build: data files are fuzzed as CSV and JSONL text.
set(DOKPA_PARQUET OFF CACHE BOOL "read Parquet data files (Arrow C++ from the pyarrow wheel)" FORCE)
add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=undefined -fsanitize=fuzzer-no-link
                    -fno-omit-frame-pointer -g -O1)
add_link_options(-fsanitize=address,undefined)
