# Apache Arrow C++ and its Parquet reader, taken from the pyarrow wheel in the project virtualenv
# (pinned in scripts/requirements.txt): the wheel ships the headers and libarrow/libparquet, so
# no Arrow build or Debian package is needed. Only harness/data/parquet_reader.cpp includes them.
#
# Defines dokpa::arrow_parquet: include dirs plus libparquet and libarrow, linked by full path to
# their versioned files (libparquet.so.2600 for 26.0.x; the wheel has no unversioned .so links).
# Linked as IMPORTED SHARED libraries, so CMake puts the wheel's folder in the build RPATH and
# binaries run without LD_LIBRARY_PATH; libparquet finds libarrow through its own $ORIGIN RUNPATH.
set(DOKPA_ARROW_PYTHON "${PROJECT_SOURCE_DIR}/.venv/bin/python" CACHE FILEPATH
    "Python whose pyarrow wheel provides Arrow C++ (headers and libraries)")

execute_process(
  COMMAND "${DOKPA_ARROW_PYTHON}" -c
          "import pyarrow; print(pyarrow.__version__); print(pyarrow.get_include()); print(pyarrow.get_library_dirs()[0])"
  OUTPUT_VARIABLE _dokpa_pyarrow_out
  ERROR_VARIABLE _dokpa_pyarrow_err
  RESULT_VARIABLE _dokpa_pyarrow_rc
  OUTPUT_STRIP_TRAILING_WHITESPACE)
if(NOT _dokpa_pyarrow_rc EQUAL 0)
  message(FATAL_ERROR
    "dokpa reads Parquet through Arrow C++ from the pyarrow wheel, but\n"
    "  ${DOKPA_ARROW_PYTHON} -c 'import pyarrow'\n"
    "failed:\n${_dokpa_pyarrow_err}\n"
    "Run scripts/setup.sh (or .venv/bin/pip install -r scripts/requirements.txt), or point "
    "-DDOKPA_ARROW_PYTHON=<python> at a Python that has pyarrow.")
endif()
string(REPLACE "\n" ";" _dokpa_pyarrow_out "${_dokpa_pyarrow_out}")
list(GET _dokpa_pyarrow_out 0 DOKPA_ARROW_VERSION)
list(GET _dokpa_pyarrow_out 1 _dokpa_arrow_include)
list(GET _dokpa_pyarrow_out 2 _dokpa_arrow_libdir)

# Arrow's SONAME version is major * 100 + minor: 26.0.1 -> libarrow.so.2600.
string(REGEX MATCH "^([0-9]+)\\.([0-9]+)" _dokpa_match "${DOKPA_ARROW_VERSION}")
math(EXPR _dokpa_arrow_so "${CMAKE_MATCH_1} * 100 + ${CMAKE_MATCH_2}")

foreach(_lib arrow parquet)
  set(_file "${_dokpa_arrow_libdir}/lib${_lib}.so.${_dokpa_arrow_so}")
  if(NOT EXISTS "${_file}")
    message(FATAL_ERROR "pyarrow ${DOKPA_ARROW_VERSION} has no ${_file}: is the wheel complete? "
                        "(reinstall it: .venv/bin/pip install --force-reinstall -r scripts/requirements.txt)")
  endif()
  add_library(dokpa::${_lib} SHARED IMPORTED)
  set_target_properties(dokpa::${_lib} PROPERTIES
    IMPORTED_LOCATION "${_file}"
    IMPORTED_SONAME "lib${_lib}.so.${_dokpa_arrow_so}"
    INTERFACE_INCLUDE_DIRECTORIES "${_dokpa_arrow_include}")  # imported: -isystem, no warnings
endforeach()
if(NOT EXISTS "${_dokpa_arrow_include}/parquet/arrow/reader.h")
  message(FATAL_ERROR "pyarrow ${DOKPA_ARROW_VERSION} has no C++ headers under ${_dokpa_arrow_include}")
endif()
add_library(dokpa::arrow_parquet INTERFACE IMPORTED)
set_target_properties(dokpa::arrow_parquet PROPERTIES INTERFACE_LINK_LIBRARIES "dokpa::parquet;dokpa::arrow")
message(STATUS "Arrow C++ ${DOKPA_ARROW_VERSION} (Parquet) from pyarrow: ${_dokpa_arrow_libdir}")
