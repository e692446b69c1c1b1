# inbeeld_layer(<target> FOLDER <dir> SOURCES <files...> [USES <dirs...>]
#               [PUBLIC <libs...>] [PRIVATE <libs...>])
#
# One static library for one folder of the tree (base/, crypto/, node/audit/,
# ...), and the layering written down in one place: USES names the folders of
# ours it may include, each declared before it (so the folders form a DAG in
# declaration order). The library links theirs; its files may include theirs
# and, transitively, whatever those may (base/ always). A build-time check
# (cmake/check_includes.cmake) reads every .h and .cc in the folder and fails
# the build, before anything in it compiles, on an #include "<dir>/..." of any
# other folder of ours: an include that climbs a layer, or reaches sideways,
# never compiles.
function(inbeeld_layer target)
  cmake_parse_arguments(L "" "FOLDER" "SOURCES;USES;PUBLIC;PRIVATE" ${ARGN})
  if(NOT L_FOLDER)
    message(FATAL_ERROR "inbeeld_layer(${target}): FOLDER is required")
  endif()
  set(allowed base)
  set(links inbeeld_base)
  foreach(dir IN LISTS L_USES)
    get_property(dep_target GLOBAL PROPERTY "INBEELD_LAYER_TARGET_${dir}")
    if(NOT dep_target)
      message(FATAL_ERROR "inbeeld_layer(${target}): ${L_FOLDER} uses ${dir}, which is not "
                          "declared before it (a cycle, or a folder declared in the wrong order)")
    endif()
    get_property(dep_allowed GLOBAL PROPERTY "INBEELD_LAYER_ALLOWED_${dir}")
    list(APPEND allowed ${dir} ${dep_allowed})
    list(APPEND links ${dep_target})
  endforeach()
  list(REMOVE_DUPLICATES allowed)
  list(SORT allowed)
  set_property(GLOBAL PROPERTY "INBEELD_LAYER_TARGET_${L_FOLDER}" ${target})
  set_property(GLOBAL PROPERTY "INBEELD_LAYER_ALLOWED_${L_FOLDER}" ${allowed})

  add_library(${target} STATIC ${L_SOURCES})
  target_link_libraries(${target} PUBLIC ${links} ${L_PUBLIC} PRIVATE ${L_PRIVATE})

  file(GLOB files CONFIGURE_DEPENDS
       "${PROJECT_SOURCE_DIR}/${L_FOLDER}/*.h" "${PROJECT_SOURCE_DIR}/${L_FOLDER}/*.cc")
  string(REPLACE "/" "_" stamp_name "${L_FOLDER}")
  set(stamp "${PROJECT_BINARY_DIR}/layering/${stamp_name}.ok")
  list(JOIN allowed "," allowed_arg)
  add_custom_command(
    OUTPUT "${stamp}"
    COMMAND ${CMAKE_COMMAND} "-DROOT=${PROJECT_SOURCE_DIR}" "-DFOLDER=${L_FOLDER}"
            "-DALLOWED=${allowed_arg}" "-DSTAMP=${stamp}"
            -P "${PROJECT_SOURCE_DIR}/cmake/check_includes.cmake"
    DEPENDS ${files} "${PROJECT_SOURCE_DIR}/cmake/check_includes.cmake"
    COMMENT "Checking the includes of ${L_FOLDER}/ against its layer"
    VERBATIM)
  add_custom_target(${target}_layering DEPENDS "${stamp}")
  add_dependencies(${target} ${target}_layering)
endfunction()
