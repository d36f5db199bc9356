# Finds flite (Debian: flite1-dev), which ships neither a CMake config nor a pkg-config file.
# Defines Flite::Flite (the engine, the US English language and lexicon, and the voices below),
# Flite_VERSION (from the library's soname, e.g. 2.2) and Flite_VOICES.
#   find_package(Flite REQUIRED)
set(Flite_VOICES cmu_us_slt cmu_us_rms cmu_us_awb cmu_us_kal16)

find_path(Flite_INCLUDE_DIR flite/flite.h)
find_library(Flite_LIBRARY flite)
set(_flite_libraries)
set(_flite_required Flite_INCLUDE_DIR Flite_LIBRARY)
foreach(_part IN LISTS Flite_VOICES ITEMS usenglish cmulex)
    find_library(Flite_${_part}_LIBRARY flite_${_part})
    list(APPEND _flite_required Flite_${_part}_LIBRARY)
    list(APPEND _flite_libraries "${Flite_${_part}_LIBRARY}")
endforeach()

if(Flite_LIBRARY)
    # libflite.so -> libflite.so.1 -> libflite.so.2.2: the real file's name carries the version.
    get_filename_component(_flite_real "${Flite_LIBRARY}" REALPATH)
    string(REGEX MATCH "[0-9]+(\\.[0-9]+)+$" Flite_VERSION "${_flite_real}")
endif()

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(Flite REQUIRED_VARS ${_flite_required} VERSION_VAR Flite_VERSION)

if(Flite_FOUND AND NOT TARGET Flite::Flite)
    add_library(Flite::Flite INTERFACE IMPORTED)
    # Voices first: each needs the language and lexicon, which need the engine.
    set_target_properties(Flite::Flite PROPERTIES INTERFACE_INCLUDE_DIRECTORIES "${Flite_INCLUDE_DIR}"
                                                  INTERFACE_LINK_LIBRARIES "${_flite_libraries};${Flite_LIBRARY};m")
endif()
mark_as_advanced(Flite_INCLUDE_DIR Flite_LIBRARY)
