# Writes the generated revision header (harness/git_revision.h.in) at build
# time; configure_file leaves the file alone when its text is unchanged.
#   cmake -DSOURCE_DIR=<repo> -DTEMPLATE=<.h.in> -DOUTPUT=<.h> -P git_revision.cmake
execute_process(COMMAND git describe --always --dirty --abbrev=12 WORKING_DIRECTORY ${SOURCE_DIR}
                OUTPUT_VARIABLE VCS_TAG OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
if(NOT VCS_TAG)
  set(VCS_TAG "unknown")
endif()
configure_file(${TEMPLATE} ${OUTPUT} @ONLY)
