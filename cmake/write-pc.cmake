# Run by `cmake --install` (see CMakeLists.txt): writes one pkg-config file
# whose prefix is the prefix being installed to.  In: SGXRA_PC_IN,
# SGXRA_PC_OUT, PROJECT_VERSION, SGXRA_LIBDIR, SGXRA_INCLUDEDIR (the
# configured GNUInstallDirs values, relative to the prefix unless absolute).
set(SGXRA_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
foreach(v LIBDIR INCLUDEDIR)
  if(IS_ABSOLUTE "${SGXRA_${v}}")
    set(SGXRA_PC_${v} "${SGXRA_${v}}")
  else()
    set(SGXRA_PC_${v} "\${prefix}/${SGXRA_${v}}")
  endif()
endforeach()
configure_file("${SGXRA_PC_IN}" "${SGXRA_PC_OUT}" @ONLY)
