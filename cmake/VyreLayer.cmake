# vyre_layer(NAME [DEPS ...] [PRIVATE_DEPS ...])
# One static library per layer: sources in src/NAME, public headers in include/vyre/NAME.
function(vyre_layer name)
  cmake_parse_arguments(L "" "" "DEPS;PRIVATE_DEPS" ${ARGN})
  file(GLOB_RECURSE srcs CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/src/${name}/*.cpp)
  if(NOT srcs)  # a layer still being written: keep the target so dependants link
    set(srcs ${PROJECT_BINARY_DIR}/empty_${name}.cpp)
    file(WRITE ${srcs} "// layer ${name} has no sources yet\n")
  endif()
  add_library(vyre_${name} STATIC ${srcs})
  add_library(vyre::${name} ALIAS vyre_${name})
  target_include_directories(vyre_${name}
    PUBLIC $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include> $<INSTALL_INTERFACE:include>
    PRIVATE ${PROJECT_SOURCE_DIR}/src)
  target_compile_options(vyre_${name} PRIVATE ${VYRE_WARNINGS})
  target_link_libraries(vyre_${name} PUBLIC ${L_DEPS} PRIVATE ${L_PRIVATE_DEPS})
  set_property(GLOBAL APPEND PROPERTY VYRE_LAYER_TARGETS vyre_${name})
endfunction()
