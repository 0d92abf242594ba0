# `cmake --install` puts headers, libraries and a package config in place so that
# find_package(vyre) + target_link_libraries(app vyre::vyre) works.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)
get_property(_layers GLOBAL PROPERTY VYRE_LAYER_TARGETS)
install(TARGETS ${_layers} ${VYRE_BACKEND_TARGETS} vyre_backends vyre blake3 xxhash_headers
        vyre_remote_deps
        EXPORT vyreTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY include/vyre backends/include/vyre DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
# Each backend's public headers (backends/<name>/include/vyre/...), e.g. vyre/backends/reference.h.
file(GLOB _vyre_backend_headers LIST_DIRECTORIES true ${PROJECT_SOURCE_DIR}/backends/*/include/vyre)
foreach(_dir IN LISTS _vyre_backend_headers)
  install(DIRECTORY ${_dir} DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
endforeach()
install(EXPORT vyreTargets NAMESPACE vyre:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/vyre)
configure_package_config_file(cmake/vyreConfig.cmake.in ${PROJECT_BINARY_DIR}/vyreConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/vyre)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/vyreConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/vyreConfig.cmake ${PROJECT_BINARY_DIR}/vyreConfigVersion.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/vyre)
