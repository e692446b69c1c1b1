# cmake -DROOT=<source dir> -DFOLDER=<dir> -DALLOWED=<dir,dir,...> [-DSTAMP=<file>]
#       -P check_includes.cmake
#
# Fails (exit 1) when a .h or .cc directly in ROOT/FOLDER includes a header
# of one of our folders (base/, crypto/, schema/, config/, node/<dir>/) that
# is neither FOLDER itself nor in ALLOWED, naming the file, the line and the
# include; otherwise touches STAMP. cmake/InbeeldLayer.cmake runs it for
# every library; tests/layering runs it on a planted upward include.
cmake_minimum_required(VERSION 3.25)
foreach(var ROOT FOLDER)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "check_includes.cmake: -D${var}= is required")
  endif()
endforeach()
set(ours base crypto schema config node)
string(REPLACE "," ";" ALLOWED "${ALLOWED}")
file(GLOB files "${ROOT}/${FOLDER}/*.h" "${ROOT}/${FOLDER}/*.cc")
list(SORT files)
set(errors "")
foreach(file IN LISTS files)
  file(READ "${file}" text)
  # One element a line; escape ';' first so list splitting keeps them whole.
  string(REPLACE ";" "\\;" text "${text}")
  string(REPLACE "\n" ";" lines "${text}")
  set(number 0)
  foreach(line IN LISTS lines)
    math(EXPR number "${number} + 1")
    if(NOT line MATCHES "^[ \t]*#[ \t]*include[ \t]*\"([^\"]+)\"")
      continue()
    endif()
    set(path "${CMAKE_MATCH_1}")
    string(REPLACE "/" ";" parts "${path}")
    list(LENGTH parts depth)
    list(GET parts 0 top)
    if(NOT top IN_LIST ours)
      continue()  # a system or third-party header, or a generated one
    endif()
    if(top STREQUAL "node" AND depth GREATER 2)
      list(GET parts 1 second)
      set(dir "node/${second}")
    else()
      set(dir "${top}")
    endif()
    if(dir STREQUAL FOLDER OR dir IN_LIST ALLOWED)
      continue()
    endif()
    file(RELATIVE_PATH shown "${ROOT}" "${file}")
    list(JOIN ALLOWED ", " may)
    string(APPEND errors "${shown}:${number}: includes \"${path}\", but ${FOLDER}/ may include "
                         "only ${FOLDER}/ and ${may} (its USES in inbeeld_layer, and theirs)\n")
  endforeach()
endforeach()
if(errors)
  # Unwrapped, one "file:line: ..." a line, as compilers print theirs.
  message(NOTICE "${errors}")
  message(FATAL_ERROR "layering: an include above climbs a layer or reaches sideways. Move the "
                      "code to the layer it belongs to, or, if it is a real dependency, declare it "
                      "in the folder's inbeeld_layer(... USES ...).")
endif()
if(DEFINED STAMP)
  get_filename_component(stamp_dir "${STAMP}" DIRECTORY)
  file(MAKE_DIRECTORY "${stamp_dir}")
  file(TOUCH "${STAMP}")
endif()
