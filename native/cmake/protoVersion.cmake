# protoVersion.cmake — sets PROTO_VERSION (and _MAJOR/_MINOR/_PATCH) from
# native/include/proto/version.h, the one place the version is written.
# Included by the top-level CMakeLists.txt (before project()) and by
# native/CMakeLists.txt, so add_subdirectory(native) from any parent project
# gets Proto's version, never the parent's.
file(STRINGS "${CMAKE_CURRENT_LIST_DIR}/../include/proto/version.h" _proto_version_lines
  REGEX "inline constexpr int kVersion(Major|Minor|Patch) = [0-9]+")
foreach(_proto_part Major Minor Patch)
  string(REGEX MATCH "kVersion${_proto_part} = ([0-9]+)" _proto_match "${_proto_version_lines}")
  if(NOT _proto_match)
    message(FATAL_ERROR "proto: no kVersion${_proto_part} in native/include/proto/version.h")
  endif()
  string(TOUPPER "${_proto_part}" _proto_upper)
  set(PROTO_VERSION_${_proto_upper} "${CMAKE_MATCH_1}")
endforeach()
set(PROTO_VERSION "${PROTO_VERSION_MAJOR}.${PROTO_VERSION_MINOR}.${PROTO_VERSION_PATCH}")
unset(_proto_version_lines)
unset(_proto_match)
unset(_proto_part)
unset(_proto_upper)
