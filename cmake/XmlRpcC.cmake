# xmlrpc-c ships no CMake or pkg-config files on Debian 12, only xmlrpc-c-config: wrap its
# output in an imported target, XmlRpcC::XmlRpcC (XML parsing and writing, C++ client over curl).
# The server side is Charla's own (host/src/core/http_server.h): Abyss is not linked.
if(TARGET XmlRpcC::XmlRpcC)
    return()
endif()
find_program(XMLRPC_C_CONFIG xmlrpc-c-config REQUIRED)
execute_process(COMMAND ${XMLRPC_C_CONFIG} c++2 client --libs
                OUTPUT_VARIABLE _xmlrpc_libs OUTPUT_STRIP_TRAILING_WHITESPACE COMMAND_ERROR_IS_FATAL ANY)
execute_process(COMMAND ${XMLRPC_C_CONFIG} c++2 client --cflags
                OUTPUT_VARIABLE _xmlrpc_cflags OUTPUT_STRIP_TRAILING_WHITESPACE COMMAND_ERROR_IS_FATAL ANY)
separate_arguments(_xmlrpc_libs UNIX_COMMAND "${_xmlrpc_libs}")
separate_arguments(_xmlrpc_cflags UNIX_COMMAND "${_xmlrpc_cflags}")
list(FILTER _xmlrpc_cflags EXCLUDE REGEX "^-I/usr/include$")
add_library(XmlRpcC::XmlRpcC INTERFACE IMPORTED)
set_target_properties(XmlRpcC::XmlRpcC PROPERTIES INTERFACE_LINK_LIBRARIES "${_xmlrpc_libs}"
                                                  INTERFACE_COMPILE_OPTIONS "${_xmlrpc_cflags}")
