# One warning policy for every dokpa target.
function(dokpa_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra)
endfunction()
