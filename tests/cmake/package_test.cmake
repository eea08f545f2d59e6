# package_test.cmake — the CMake package, both ways, as a CTest test:
#   cmake -DMODE=install -DPROTO_BUILD_DIR=<built tree> -DSOURCE_DIR=<repo> -DWORK_DIR=<scratch> -P package_test.cmake
#     installs the built tree to a fresh prefix, then configures, builds and
#     runs tests/cmake/consumer (C++ and C) with find_package(proto).
#   cmake -DMODE=subdirectory -DSOURCE_DIR=<repo> -DWORK_DIR=<scratch> -P package_test.cmake
#     configures, builds and runs tests/cmake/parent, which has no VERSION and
#     add_subdirectory()s native/, and checks the version Proto stamps.
cmake_minimum_required(VERSION 3.20)
foreach(var MODE SOURCE_DIR WORK_DIR)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "package_test.cmake needs -D${var}=...")
  endif()
endforeach()
include(${SOURCE_DIR}/native/cmake/protoVersion.cmake)

function(step what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE status OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "${what} failed (${status}):\n${out}\n${err}")
  endif()
  set(step_output "${out}" PARENT_SCOPE)
endfunction()

function(expect_run binary expected)
  step("running ${binary}" ${binary})
  if(NOT step_output STREQUAL "${expected}\n")
    message(FATAL_ERROR "${binary} printed '${step_output}', expected '${expected}'")
  endif()
  message(STATUS "${binary}: ${expected}")
endfunction()

file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})
# Fast builds: no optimisation (what is tested is the package, not the code).
set(fast -DCMAKE_BUILD_TYPE= -DCMAKE_CXX_FLAGS=-O0 -DCMAKE_C_FLAGS=-O0)

if(MODE STREQUAL "install")
  set(prefix ${WORK_DIR}/prefix)
  step("cmake --install" ${CMAKE_COMMAND} --install ${PROTO_BUILD_DIR} --prefix ${prefix})
  foreach(header runtime.h proto.h rope.h internal/heap_object.h)
    file(GLOB_RECURSE found "${prefix}/*/proto/${header}")
    if(NOT found)
      message(FATAL_ERROR "proto/${header} was not installed under ${prefix}")
    endif()
  endforeach()
  step("configuring the consumer" ${CMAKE_COMMAND} -S ${SOURCE_DIR}/tests/cmake/consumer -B ${WORK_DIR}/consumer
       "-DCMAKE_PREFIX_PATH=${prefix}" ${fast})
  step("building the consumer" ${CMAKE_COMMAND} --build ${WORK_DIR}/consumer --parallel 2)
  expect_run(${WORK_DIR}/consumer/consumer_cpp "cpp ok ${PROTO_VERSION}")
  expect_run(${WORK_DIR}/consumer/consumer_c "c ok ${PROTO_VERSION}")
elseif(MODE STREQUAL "subdirectory")
  step("configuring the parent" ${CMAKE_COMMAND} -S ${SOURCE_DIR}/tests/cmake/parent -B ${WORK_DIR}/parent
       "-DPROTO_NATIVE_DIR=${SOURCE_DIR}/native" ${fast})
  file(READ ${WORK_DIR}/parent/proto/protoConfigVersion.cmake config_version)
  if(NOT config_version MATCHES "set\\(PACKAGE_VERSION \"${PROTO_VERSION}\"\\)")
    message(FATAL_ERROR "protoConfigVersion.cmake does not say ${PROTO_VERSION}:\n${config_version}")
  endif()
  step("building the parent" ${CMAKE_COMMAND} --build ${WORK_DIR}/parent --parallel 2)
  expect_run(${WORK_DIR}/parent/parent_cpp "cpp ok ${PROTO_VERSION}")
  expect_run(${WORK_DIR}/parent/parent_c "c ok ${PROTO_VERSION}")
else()
  message(FATAL_ERROR "MODE must be install or subdirectory (got '${MODE}')")
endif()
