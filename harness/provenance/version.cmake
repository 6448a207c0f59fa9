# Writes version.h with `git describe --always --dirty` of the source tree. Run as a build
# step (cmake -P), so the version follows commits without reconfiguring; configure_file only
# rewrites the header when the text changes, so an unchanged version recompiles nothing.
# GIT_OPTIONAL_LOCKS=0: --dirty refreshes the index, which must not take index.lock while
# someone else runs git in the same tree.
set(ENV{GIT_OPTIONAL_LOCKS} 0)
execute_process(
  COMMAND git describe --always --dirty
  WORKING_DIRECTORY ${SOURCE_DIR}
  OUTPUT_VARIABLE DOKPA_GIT_VERSION
  OUTPUT_STRIP_TRAILING_WHITESPACE
  RESULT_VARIABLE result
  ERROR_QUIET)
if(NOT result EQUAL 0 OR DOKPA_GIT_VERSION STREQUAL "")
  set(DOKPA_GIT_VERSION "unknown")
endif()
configure_file(${INPUT} ${OUTPUT} @ONLY)
