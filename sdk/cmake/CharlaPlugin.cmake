# charla_add_plugin(<target> ID <id> NAME <name> VERSION <x.y.z> [VENDOR <v>] [DESCRIPTION <d>]
#                   [SENDS kinds...] [RECEIVES kinds...] SOURCES files...
#                   [CLI_OPTIONS "name|VALUE|help" ...]   e.g. "camera|SOURCE|Camera to use"
#                   [LOCALIZED "lang|name|description" ...]  e.g. "es|Voz|Voz en las llamadas":
#                                   NAME and DESCRIPTION in another language, for the Plugins
#                                   dialog and Settings, which list plugins that are not loaded
#                   [OUTPUT_DIR dir]
#                   [ABI_MINOR n]   build for SDK 1.n (default: this SDK's minor): hosts of 1.n
#                                   load it, and declarations newer than 1.n do not compile
#                   # for tests that need a deliberately broken plugin:
#                   [ABI_MAJOR n] [QT_VERSION x.y] [MANIFEST_FILE file | NO_MANIFEST])
#
# Builds a plugin module lib<charla_id>.so with hidden visibility and writes its manifest
# charla_<id>.json beside it; the host reads the manifest without loading the library.
# The ABI version plugins are stamped with comes from the SDK header itself.
if(NOT DEFINED CHARLA_SDK_ABI_MAJOR)
    file(STRINGS ${CMAKE_CURRENT_LIST_DIR}/../include/charla/sdk/version.h _charla_abi
         REGEX "^#define CHARLA_SDK_ABI_(MAJOR|MINOR) ")
    string(REGEX REPLACE ".*MAJOR ([0-9]+).*" "\\1" CHARLA_SDK_ABI_MAJOR "${_charla_abi}")
    string(REGEX REPLACE ".*MINOR ([0-9]+).*" "\\1" CHARLA_SDK_ABI_MINOR "${_charla_abi}")
    # A minor bump reconfigures: plugins are compiled with the minor as a definition.
    set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
                 ${CMAKE_CURRENT_LIST_DIR}/../include/charla/sdk/version.h)
endif()

# _charla_json_string(<out_var> <text>): <text> as a JSON string, quotes included. Every character
# is kept: \ and " are escaped, control characters become \n, \t, \r or \u00XX, and "$<" is
# written "\u0024<" so that file(GENERATE) does not read it as a generator expression.
function(_charla_json_string out_var text)
    string(REPLACE "\\" "\\\\" text "${text}")
    string(REPLACE "\"" "\\\"" text "${text}")
    string(REPLACE "\n" "\\n" text "${text}")
    string(REPLACE "\t" "\\t" text "${text}")
    string(REPLACE "\r" "\\r" text "${text}")
    foreach(code RANGE 1 31)
        string(ASCII ${code} char)
        string(FIND "${text}" "${char}" at)
        if(NOT at EQUAL -1)
            math(EXPR hex "${code}" OUTPUT_FORMAT HEXADECIMAL) # 0x1f
            string(REPLACE "0x" "" hex "${hex}")
            string(LENGTH "${hex}" digits)
            if(digits EQUAL 1)
                set(hex "0${hex}")
            endif()
            string(REPLACE "${char}" "\\u00${hex}" text "${text}")
        endif()
    endforeach()
    string(REPLACE "$<" "\\u0024<" text "${text}")
    set(${out_var} "\"${text}\"" PARENT_SCOPE)
endfunction()

function(charla_add_plugin target)
    # PARSE_ARGV keeps a value whole, semicolons included (NAME and DESCRIPTION are free text).
    cmake_parse_arguments(PARSE_ARGV 1 P "NO_MANIFEST"
        "ID;NAME;VERSION;VENDOR;DESCRIPTION;OUTPUT_DIR;ABI_MAJOR;ABI_MINOR;QT_VERSION;MANIFEST_FILE"
        "SOURCES;SENDS;RECEIVES;CLI_OPTIONS;LOCALIZED")
    foreach(required ID NAME VERSION SOURCES)
        if("${P_${required}}" STREQUAL "")
            message(FATAL_ERROR "charla_add_plugin(${target}): ${required} is required")
        endif()
    endforeach()
    if(NOT P_ID MATCHES "^[a-z][a-z0-9_]*$")
        message(FATAL_ERROR "charla_add_plugin(${target}): ID '${P_ID}' must match [a-z][a-z0-9_]*")
    endif()
    if(NOT P_OUTPUT_DIR)
        if(CHARLA_PLUGIN_OUTPUT_DIR)
            set(P_OUTPUT_DIR ${CHARLA_PLUGIN_OUTPUT_DIR})
        else()
            set(P_OUTPUT_DIR ${CMAKE_CURRENT_BINARY_DIR}/plugins)
        endif()
    endif()
    # Remembered so charla_install_plugin() can install the manifest beside the library.
    set_property(GLOBAL APPEND PROPERTY CHARLA_PLUGIN_TARGETS ${target})
    if("${P_VENDOR}" STREQUAL "")
        set(P_VENDOR "unknown")
    endif()
    set(abi_major ${CHARLA_SDK_ABI_MAJOR})
    if(P_ABI_MAJOR)
        set(abi_major ${P_ABI_MAJOR})
    endif()
    set(abi_minor ${CHARLA_SDK_ABI_MINOR})
    if(NOT "${P_ABI_MINOR}" STREQUAL "")
        if(NOT P_ABI_MINOR MATCHES "^[0-9]+$" OR P_ABI_MINOR GREATER CHARLA_SDK_ABI_MINOR)
            message(FATAL_ERROR "charla_add_plugin(${target}): ABI_MINOR '${P_ABI_MINOR}' must be "
                                "0..${CHARLA_SDK_ABI_MINOR} (this SDK is "
                                "${CHARLA_SDK_ABI_MAJOR}.${CHARLA_SDK_ABI_MINOR})")
        endif()
        set(abi_minor ${P_ABI_MINOR})
    endif()
    set(qt_version "${Qt6_VERSION_MAJOR}.${Qt6_VERSION_MINOR}")
    if(P_QT_VERSION)
        set(qt_version ${P_QT_VERSION})
    endif()

    add_library(${target} MODULE ${P_SOURCES})
    target_link_libraries(${target} PRIVATE Charla::sdk)
    target_compile_definitions(${target} PRIVATE CHARLA_PLUGIN_ID="${P_ID}"
                                                 CHARLA_PLUGIN_BUILT_ABI_MAJOR=${abi_major}
                                                 CHARLA_SDK_TARGET_ABI_MINOR=${abi_minor})
    set_target_properties(${target} PROPERTIES
        OUTPUT_NAME charla_${P_ID}
        LIBRARY_OUTPUT_DIRECTORY ${P_OUTPUT_DIR}
        CXX_VISIBILITY_PRESET hidden
        VISIBILITY_INLINES_HIDDEN ON
        AUTOMOC ON)

    set(manifest ${P_OUTPUT_DIR}/charla_${P_ID}.json)
    set_target_properties(${target} PROPERTIES CHARLA_MANIFEST ${manifest})
    if(P_NO_MANIFEST)
        return()
    elseif(P_MANIFEST_FILE)
        configure_file(${P_MANIFEST_FILE} ${manifest} COPYONLY)
        return()
    endif()
    # Every string goes through _charla_json_string: names, descriptions and help texts may hold
    # any character (quotes, backslashes, semicolons, line breaks) and the manifest stays JSON.
    foreach(field NAME VERSION VENDOR DESCRIPTION)
        _charla_json_string(${field}_json "${P_${field}}")
    endforeach()
    # Joined by hand, not as CMake lists: a value may hold a semicolon.
    foreach(direction SENDS RECEIVES)
        set(${direction}_json "")
        set(separator "")
        foreach(kind IN LISTS P_${direction})
            _charla_json_string(kind_json "${kind}")
            string(APPEND ${direction}_json "${separator}${kind_json}")
            set(separator ", ")
        endforeach()
    endforeach()
    set(options "")
    set(separator "")
    foreach(option IN LISTS P_CLI_OPTIONS)
        if(NOT option MATCHES "^([^|]*)\\|([^|]*)\\|(.*)$")
            message(FATAL_ERROR "charla_add_plugin(${target}): CLI_OPTIONS '${option}' is not "
                                "\"name|VALUE|help\"")
        endif()
        set(opt_value "${CMAKE_MATCH_2}")
        set(opt_help "${CMAKE_MATCH_3}")
        _charla_json_string(opt_name "${CMAKE_MATCH_1}")
        _charla_json_string(opt_value "${opt_value}")
        _charla_json_string(opt_help "${opt_help}")
        string(APPEND options "${separator}{\"name\": ${opt_name}, \"value\": ${opt_value}, "
                              "\"help\": ${opt_help}}")
        set(separator ", ")
    endforeach()
    set(localized "")
    set(separator "")
    foreach(entry IN LISTS P_LOCALIZED)
        if(NOT entry MATCHES "^([a-z][a-z][a-z]?(_[A-Z][A-Z])?)\\|([^|]*)\\|(.*)$")
            message(FATAL_ERROR "charla_add_plugin(${target}): LOCALIZED '${entry}' is not "
                                "\"lang|name|description\" (lang as es or pt_BR)")
        endif()
        set(loc_description "${CMAKE_MATCH_4}")
        _charla_json_string(loc_lang "${CMAKE_MATCH_1}")
        _charla_json_string(loc_name "${CMAKE_MATCH_3}")
        _charla_json_string(loc_description "${loc_description}")
        string(APPEND localized "${separator}${loc_lang}: {\"name\": ${loc_name}, "
                                "\"description\": ${loc_description}}")
        set(separator ", ")
    endforeach()
    _charla_json_string(abi_json "${abi_major}.${abi_minor}")
    _charla_json_string(qt_json "${qt_version}")
    file(GENERATE OUTPUT ${manifest} CONTENT "{
  \"charla_plugin\": 1,
  \"id\": \"${P_ID}\",
  \"name\": ${NAME_json},
  \"version\": ${VERSION_json},
  \"vendor\": ${VENDOR_json},
  \"description\": ${DESCRIPTION_json},
  \"sends\": [${SENDS_json}],
  \"receives\": [${RECEIVES_json}],
  \"sdk_abi\": ${abi_json},
  \"qt\": ${qt_json},
  \"options\": [${options}],
  \"translations\": {${localized}},
  \"library\": \"$<TARGET_FILE_NAME:${target}>\"
}
")
endfunction()

# charla_install_plugin(<target> [DESTINATION dir])
# Installs a plugin's library and manifest into `dir` (default: the per-user plugin directory,
# ~/.local/share/charla/plugins, where the host looks with no flags).
function(charla_install_plugin target)
    cmake_parse_arguments(P "" "DESTINATION" "" ${ARGN})
    if(NOT P_DESTINATION)
        if(DEFINED ENV{XDG_DATA_HOME})
            set(P_DESTINATION "$ENV{XDG_DATA_HOME}/charla/plugins")
        else()
            set(P_DESTINATION "$ENV{HOME}/.local/share/charla/plugins")
        endif()
    endif()
    get_target_property(manifest ${target} CHARLA_MANIFEST)
    install(TARGETS ${target} LIBRARY DESTINATION ${P_DESTINATION})
    install(FILES ${manifest} DESTINATION ${P_DESTINATION})
endfunction()

# charla_add_plugin_translations(<target> TS_FILES files... [SOURCES files... | SOURCE_DIRS dirs...])
# Builds the plugin's translations into it: each <name>_<lang>.ts becomes :/i18n/<name>_<lang>.qm
# inside the library, where sdk::PluginTranslator (<charla/sdk/translator.h>) loads it from. The
# strings are looked up in SOURCES, in every .cpp and .h of SOURCE_DIRS (the sources of the
# plugin's static libraries too), or else in the target's own sources. `cmake --build <dir>
# --target update_translations` refreshes the .ts files (lupdate, dropping obsolete entries and
# writing no line numbers, so that a .ts changes only when a string does).
function(charla_add_plugin_translations target)
    cmake_parse_arguments(PARSE_ARGV 1 P "" "" "TS_FILES;SOURCES;SOURCE_DIRS")
    if(NOT P_TS_FILES)
        message(FATAL_ERROR "charla_add_plugin_translations(${target}): TS_FILES is required")
    endif()
    find_package(Qt6 REQUIRED COMPONENTS LinguistTools)
    set(sources ${P_SOURCES})
    foreach(dir IN LISTS P_SOURCE_DIRS)
        get_filename_component(dir "${dir}" ABSOLUTE BASE_DIR ${CMAKE_CURRENT_SOURCE_DIR})
        file(GLOB dir_sources CONFIGURE_DEPENDS ${dir}/*.cpp ${dir}/*.h)
        list(APPEND sources ${dir_sources})
    endforeach()
    set(sources_arg "")
    if(sources)
        set(sources_arg SOURCES ${sources})
    endif()
    qt_add_translations(${target} TS_FILES ${P_TS_FILES} ${sources_arg}
                        LUPDATE_OPTIONS -no-obsolete -locations none)
endfunction()

# charla_add_plugin_library(<target> [AUTOMOC] [INCLUDE_DIR dir] SOURCES files...)
# A static library of a plugin's code, for the plugin module and the plugin's tests to link
# (the code that runs without the host stays testable on its own): compiled position-independent
# and with hidden visibility like the module it goes into, Charla::sdk linked, moc run on its
# Q_OBJECT classes with AUTOMOC, and INCLUDE_DIR (absolute, or relative to the current source
# directory) given to whoever links it.
function(charla_add_plugin_library target)
    cmake_parse_arguments(PARSE_ARGV 1 P "AUTOMOC" "INCLUDE_DIR" "SOURCES")
    add_library(${target} STATIC ${P_SOURCES})
    target_link_libraries(${target} PUBLIC Charla::sdk)
    if(P_INCLUDE_DIR)
        get_filename_component(dir "${P_INCLUDE_DIR}" ABSOLUTE BASE_DIR ${CMAKE_CURRENT_SOURCE_DIR})
        target_include_directories(${target} PUBLIC ${dir})
    endif()
    set_target_properties(${target} PROPERTIES
        POSITION_INDEPENDENT_CODE ON
        CXX_VISIBILITY_PRESET hidden
        VISIBILITY_INLINES_HIDDEN ON)
    if(P_AUTOMOC)
        set_target_properties(${target} PROPERTIES AUTOMOC ON)
    endif()
endfunction()
