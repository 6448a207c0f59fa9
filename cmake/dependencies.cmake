# Every dependency but libtorch comes from Debian packages; libtorch comes from the PyPI
# torch wheel in the project virtualenv (scripts/setup.sh passes its cmake prefix path).
find_package(PkgConfig REQUIRED)
pkg_check_modules(PCRE2 REQUIRED IMPORTED_TARGET libpcre2-8)
pkg_check_modules(UTF8PROC REQUIRED IMPORTED_TARGET libutf8proc)
pkg_check_modules(SENTENCEPIECE REQUIRED IMPORTED_TARGET sentencepiece)
find_package(fmt REQUIRED)
find_package(yaml-cpp REQUIRED)
find_package(SQLite3 REQUIRED)
find_package(nlohmann_json REQUIRED)
find_package(CLI11 REQUIRED)
find_package(OpenSSL REQUIRED)
find_package(CURL REQUIRED)
if(NOT DOKPA_FUZZ)  # the fuzz build (cmake/fuzz.cmake) has no Catch2 tests
  find_package(Catch2 REQUIRED)
endif()
find_package(Threads REQUIRED)

# The fuzz build (DOKPA_FUZZ) compiles only the torch-free parsers: no libtorch there.
if(NOT DOKPA_FUZZ)
  # libtorch: the wheel is built with CUDA; CUDA code paths compile and link here even
  # without a GPU, and are used at run time only when a device is present.
  # Naming the GPU architectures skips Torch's configure-time GPU probe, which needs a GPU and
  # fails with CMake 3.25's nvcc dialect check. 8.0 = A100, 9.0 = H100/H200.
  set(TORCH_CUDA_ARCH_LIST "8.0;9.0" CACHE STRING "CUDA architectures libtorch kernels target")
  find_package(Torch REQUIRED)

  # libtorch.so exports its own copies of std::filesystem functions (some crash, e.g. remove_all
  # jumps to a null pointer). Naming libstdc++ first in every link makes the dynamic linker bind
  # those symbols to the real libstdc++ instead of libtorch's copies.
  add_link_options("LINKER:--push-state,--no-as-needed,-lstdc++,--pop-state")
endif()

# Arrow C++ and Parquet from the pyarrow wheel in the virtualenv (dokpa::arrow_parquet). OFF only for
# builds of the dokpa binary where pyarrow is not at hand (bench/gpu on a machine without network):
# reading a Parquet data file then fails with a clear error; the tests need it ON.
option(DOKPA_PARQUET "read Parquet data files (Arrow C++ from the pyarrow wheel)" ON)
if(DOKPA_PARQUET)
  include(${CMAKE_CURRENT_LIST_DIR}/arrow.cmake)
endif()
