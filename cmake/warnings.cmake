# One warning policy for every dokpa target.
function(dokpa_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra)
endfunction()

# Precompiled libtorch headers. Off by default: with ccache, GCC 12 loaded a cached .gch that was
# built in another build folder and crashed (internal compiler error); turn on without ccache.
option(DOKPA_PCH "precompile libtorch headers for targets that include them" OFF)
function(dokpa_torch_pch target)
  if(DOKPA_PCH)
    target_precompile_headers(${target} PRIVATE <ATen/ATen.h>)
  endif()
endfunction()
