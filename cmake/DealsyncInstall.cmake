# Install rules and the Debian package. `cmake --install build --prefix /usr`
# and `cpack -G DEB` (in the build tree) install the same set:
#
#   /usr/bin/dealsyncd, /usr/bin/dealsyncctl                (the targets' own rules)
#   /usr/lib/systemd/system/dealsyncd.service
#   /usr/lib/sysusers.d/dealsync.conf, /usr/lib/tmpfiles.d/dealsync.conf
#   /etc/dealsync/{dealsync.toml,vendor.toml,partners.d/*.toml}   (conffiles)
#   /usr/share/man/man8/dealsyncd.8.gz, /usr/share/man/man1/dealsyncctl.1.gz
#   /usr/share/bash-completion/completions/{dealsyncctl,dealsyncd}
#   /usr/share/dealsync/prometheus/{alerts.yml,alerts_test.yml}
#   /usr/share/doc/dealsync/{README.md,operations.md,design.md,partners.md,configuration.md,copyright}
#   /usr/share/doc/dealsync/examples/partners/*.toml          (Zoho CRM, Pipedrive, SuiteCRM)
include(GNUInstallDirs)

set(DEALSYNC_SYSCONF_DIR "/etc/dealsync" CACHE PATH "where the example configuration is installed")

install(FILES ${CMAKE_SOURCE_DIR}/systemd/dealsyncd.service DESTINATION lib/systemd/system)
install(FILES ${CMAKE_SOURCE_DIR}/systemd/dealsync.sysusers
        DESTINATION lib/sysusers.d RENAME dealsync.conf)
install(FILES ${CMAKE_SOURCE_DIR}/systemd/dealsync.tmpfiles
        DESTINATION lib/tmpfiles.d RENAME dealsync.conf)

set(_config_files dealsync.toml vendor.toml)
file(GLOB _partner_files RELATIVE ${CMAKE_SOURCE_DIR}/config ${CMAKE_SOURCE_DIR}/config/partners.d/*.toml)
list(SORT _partner_files)
install(FILES ${CMAKE_SOURCE_DIR}/config/dealsync.toml ${CMAKE_SOURCE_DIR}/config/vendor.toml
        DESTINATION ${DEALSYNC_SYSCONF_DIR})
foreach(f ${_partner_files})
  install(FILES ${CMAKE_SOURCE_DIR}/config/${f} DESTINATION ${DEALSYNC_SYSCONF_DIR}/partners.d)
endforeach()

# Man pages, compressed as Debian policy asks (gzip -9n: reproducible).
set(_man_out ${CMAKE_BINARY_DIR}/man)
set(_man_pages dealsyncd.8 dealsyncctl.1)
set(_man_outputs "")
foreach(page ${_man_pages})
  add_custom_command(
    OUTPUT ${_man_out}/${page}.gz
    COMMAND ${CMAKE_COMMAND} -E make_directory ${_man_out}
    COMMAND gzip -9n -c ${CMAKE_SOURCE_DIR}/man/${page} > ${_man_out}/${page}.gz
    DEPENDS ${CMAKE_SOURCE_DIR}/man/${page}
    VERBATIM)
  list(APPEND _man_outputs ${_man_out}/${page}.gz)
endforeach()
add_custom_target(dealsync_man ALL DEPENDS ${_man_outputs})
install(FILES ${_man_out}/dealsyncd.8.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man8)
install(FILES ${_man_out}/dealsyncctl.1.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)

install(FILES ${CMAKE_SOURCE_DIR}/scripts/completion/dealsyncctl.bash
        DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME dealsyncctl)
install(FILES ${CMAKE_SOURCE_DIR}/scripts/completion/dealsyncd.bash
        DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME dealsyncd)

install(FILES ${CMAKE_SOURCE_DIR}/config/prometheus/alerts.yml
              ${CMAKE_SOURCE_DIR}/config/prometheus/alerts_test.yml
        DESTINATION ${CMAKE_INSTALL_DATADIR}/dealsync/prometheus)

set(_doc_dir ${CMAKE_INSTALL_DATADIR}/doc/dealsync)
install(FILES ${CMAKE_SOURCE_DIR}/README.md ${CMAKE_SOURCE_DIR}/docs/operations.md
              ${CMAKE_SOURCE_DIR}/docs/design.md ${CMAKE_SOURCE_DIR}/docs/partners.md
              ${CMAKE_SOURCE_DIR}/cmake/debian/copyright
        DESTINATION ${_doc_dir})
install(FILES ${CMAKE_SOURCE_DIR}/config/README.md DESTINATION ${_doc_dir} RENAME configuration.md)
file(GLOB _partner_examples ${CMAKE_SOURCE_DIR}/config/examples/partners/*.toml)
install(FILES ${_partner_examples} DESTINATION ${_doc_dir}/examples/partners)

# ---- CPack: the Debian package ---------------------------------------------
set(CPACK_GENERATOR "DEB")
set(CPACK_PACKAGE_NAME "dealsync")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_CONTACT "dealsync maintainers <dealsync@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "keeps co-sold CRM opportunities consistent between a vendor and its partners")
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "dealsyncd polls the vendor's CRM (Salesforce) and each channel partner's CRM\n (HubSpot or any JSON API), links the two copies of each deal, reconciles\n stage, amount and close date with per-field policies, and pushes the\n corrected values back. It runs as a systemd service with journald logging,\n Prometheus metrics and alert rules; dealsyncctl validates the configuration,\n reloads the daemon and settles conflicts.")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION "net")
set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "systemd")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "prometheus")
set(CPACK_PACKAGING_INSTALL_PREFIX "/usr")
set(CPACK_WARN_ON_ABSOLUTE_INSTALL_DESTINATION OFF)
# Only the runtime: no test binaries, simulators or benchmarks (they install nothing).
set(_conffiles "")
foreach(f ${_config_files} ${_partner_files})
  string(APPEND _conffiles "${DEALSYNC_SYSCONF_DIR}/${f}\n")
endforeach()
file(WRITE ${CMAKE_BINARY_DIR}/debian/conffiles "${_conffiles}")
foreach(script postinst prerm postrm)
  configure_file(${CMAKE_SOURCE_DIR}/cmake/debian/${script} ${CMAKE_BINARY_DIR}/debian/${script}
                 COPYONLY FILE_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ
                 GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
endforeach()
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    "${CMAKE_BINARY_DIR}/debian/conffiles;${CMAKE_BINARY_DIR}/debian/postinst;${CMAKE_BINARY_DIR}/debian/prerm;${CMAKE_BINARY_DIR}/debian/postrm")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)
include(CPack)
