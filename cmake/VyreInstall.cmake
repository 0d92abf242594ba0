# `cmake --install` puts headers, libraries, a CMake package and a pkg-config file in place, so
# that find_package(vyre) + target_link_libraries(app vyre::vyre), or
# `pkg-config --cflags --libs vyre`, works. The installed files name no build-machine folder and
# no third-party helper of ours (BLAKE3 and xxHash are folded in privately), and need no CUDA
# toolkit: NVRTC and libcuda are loaded at run time.
#
# Static (default): one archive per layer and backend, vyre::vyre an interface target over them.
# BUILD_SHARED_LIBS=ON: one versioned shared library, libvyre.so.MAJOR.MINOR.PATCH with SONAME
# libvyre.so.MAJOR.MINOR (0.x releases may change the ABI with each minor version, as the package
# version file's SameMinorVersion says), holding every layer and backend; vyre::vyre is it.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

get_property(_layers GLOBAL PROPERTY VYRE_LAYER_TARGETS)
# Link order for a static link, dependants first: the registration, the backends (listed as
# they were added, dependencies first), then the layers from the top down.
set(_backends ${VYRE_BACKEND_TARGETS})
list(REVERSE _backends)
# A module (its provider) calls into its backend, so every module comes before every backend.
set(_modules ${_backends})
list(FILTER _modules INCLUDE REGEX "^vyre_module_")
list(FILTER _backends EXCLUDE REGEX "^vyre_module_")
list(PREPEND _backends ${_modules})
set(_layers_down ${_layers})
list(REVERSE _layers_down)
set(_archives vyre_backends ${_backends} ${_layers_down})

if(BUILD_SHARED_LIBS)
  # The in-tree targets stay static (tests and the CLI link them); this one is what installs.
  file(WRITE ${PROJECT_BINARY_DIR}/vyre_shared.cpp "// libvyre.so: every layer and backend\n")
  add_library(vyre_shared SHARED ${PROJECT_BINARY_DIR}/vyre_shared.cpp)
  # Whole archives: an embedder may call any public function, not only those vyre calls itself.
  # (An override, because each archive also reaches the link plainly, through its dependants.)
  target_link_libraries(vyre_shared PRIVATE ${_archives})
  foreach(_archive IN LISTS _archives)
    set_property(TARGET vyre_shared PROPERTY LINK_LIBRARY_OVERRIDE_${_archive} WHOLE_ARCHIVE)
  endforeach()
  target_include_directories(vyre_shared INTERFACE $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
  set_target_properties(vyre_shared PROPERTIES
    OUTPUT_NAME vyre EXPORT_NAME vyre
    VERSION ${PROJECT_VERSION} SOVERSION ${PROJECT_VERSION_MAJOR}.${PROJECT_VERSION_MINOR})
  set(_installed vyre_shared)
else()
  set(_installed ${_archives} vyre)
endif()

install(TARGETS ${_installed}
        EXPORT vyreTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY include/vyre backends/include/vyre DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
# Each backend's public headers (backends/<name>/include/vyre/...), e.g. vyre/backends/reference.h,
# and each module's codes and variables (backends/<name>/module/include/vyre/...).
file(GLOB _vyre_backend_headers LIST_DIRECTORIES true ${PROJECT_SOURCE_DIR}/backends/*/include/vyre
     ${PROJECT_SOURCE_DIR}/backends/*/module/include/vyre)
foreach(_dir IN LISTS _vyre_backend_headers)
  install(DIRECTORY ${_dir} DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
endforeach()

# CMake package. The static archives name what they link (fmt, OpenCL when built), so the
# config finds those; a shared libvyre carries its own dependencies.
set(VYRE_PACKAGE_STATIC 1)
if(BUILD_SHARED_LIBS)
  set(VYRE_PACKAGE_STATIC 0)
endif()
set(VYRE_PACKAGE_OPENCL 0)
if(TARGET vyre_backend_opencl)
  set(VYRE_PACKAGE_OPENCL 1)
endif()
install(EXPORT vyreTargets NAMESPACE vyre:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/vyre)
configure_package_config_file(cmake/vyreConfig.cmake.in ${PROJECT_BINARY_DIR}/vyreConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/vyre)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/vyreConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/vyreConfig.cmake ${PROJECT_BINARY_DIR}/vyreConfigVersion.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/vyre)

# pkg-config: relative to the .pc file's own folder, so the prefix may move after install.
file(RELATIVE_PATH VYRE_PC_TO_PREFIX "/prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/prefix")
string(REGEX REPLACE "/$" "" VYRE_PC_TO_PREFIX "${VYRE_PC_TO_PREFIX}")
set(VYRE_PC_REQUIRES "")
set(VYRE_PC_REQUIRES_PRIVATE "fmt hiredis libsodium")
if(VYRE_PACKAGE_OPENCL)
  string(APPEND VYRE_PC_REQUIRES_PRIVATE " OpenCL")
endif()
if(BUILD_SHARED_LIBS)
  set(VYRE_PC_LIBS "-lvyre")
  set(VYRE_PC_LIBS_PRIVATE "${CMAKE_THREAD_LIBS_INIT} -ldl")
else()
  # Archives need their dependencies on every link, not only with --static.
  set(VYRE_PC_REQUIRES "${VYRE_PC_REQUIRES_PRIVATE}")
  set(VYRE_PC_REQUIRES_PRIVATE "")
  list(TRANSFORM _archives PREPEND "-l" OUTPUT_VARIABLE _pc_archives)
  list(JOIN _pc_archives " " VYRE_PC_LIBS)
  string(APPEND VYRE_PC_LIBS " ${CMAKE_THREAD_LIBS_INIT} -ldl")
  set(VYRE_PC_LIBS_PRIVATE "")
endif()
configure_file(cmake/vyre.pc.in ${PROJECT_BINARY_DIR}/vyre.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/vyre.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
