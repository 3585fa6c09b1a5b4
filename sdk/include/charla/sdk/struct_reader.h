// Reads an XML-RPC struct member by member: required or optional, of the expected type, within
// size and range limits. What is wrong is thrown as a StructError, which is an xmlrpc_c::fault
// with kFaultBadParams: let it escape a method handler and the caller gets a fault whose message
// names the member and what was expected, e.g.
//   "text.send: member 'sent_at' is missing"
//   "video.frame: member 'width' is 0, expected 1..4096"
//   "host.hello: member 'plugins[2].sends' must be an array, got a string"
// Unknown members are ignored, so that a newer peer can add some. Since ABI 1.2.
#pragma once

#include <charla/sdk/export.h>
#include <charla/sdk/fault.h>
#include <charla/sdk/version.h>

#include <xmlrpc-c/base.hpp>

#include <climits>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

#if CHARLA_SDK_TARGET_ABI_MINOR >= 2
namespace charla::sdk {

// A struct that is not what it should be. Catch it as xmlrpc_c::fault, or as StructError to
// tell the kinds apart (e.g. to count refusals by reason).
class CHARLA_SDK_API StructError : public xmlrpc_c::fault {
public:
    enum class Kind {
        NotAStruct, // the value itself is not a struct
        Missing,    // a required member is absent
        WrongType,  // a member has another XML-RPC type
        OutOfRange, // a number outside its range
        TooLarge,   // a string, base64 or array over its limit
        Invalid,    // the caller's own check failed (StructReader::fail)
    };
    StructError(Kind kind, std::string member, const std::string& message);
    Kind kind() const { return kind_; }
    // The member's path from the outermost struct ("plugins[2].sends"); empty for NotAStruct.
    const std::string& member() const { return member_; }

private:
    Kind kind_;
    std::string member_;
};

class CHARLA_SDK_API StructReader {
public:
    static constexpr std::size_t kNoLimit = std::size_t(-1);

    // `where` starts every message (the method name). Throws StructError if `value` is not a
    // struct.
    StructReader(const xmlrpc_c::value& value, std::string where);
    // The one struct parameter of a call: throws StructError for another count or type.
    static StructReader onlyParam(const xmlrpc_c::paramList& params, std::string where);

    bool has(const std::string& name) const;
    // The names of all members, sorted (for maps carried as structs).
    std::vector<std::string> names() const;

    std::string string(const std::string& name, std::size_t maxBytes = kNoLimit) const;
    std::optional<std::string> optionalString(const std::string& name,
                                              std::size_t maxBytes = kNoLimit) const;
    int integer(const std::string& name, int min = INT_MIN, int max = INT_MAX) const;
    std::optional<int> optionalInteger(const std::string& name, int min = INT_MIN,
                                       int max = INT_MAX) const;
    bool boolean(const std::string& name) const;
    // A finite number sent as a double, an int or an i8.
    double number(const std::string& name) const;
    // base64
    std::vector<unsigned char> bytes(const std::string& name,
                                     std::size_t maxBytes = kNoLimit) const;
    std::optional<std::vector<unsigned char>> optionalBytes(const std::string& name,
                                                            std::size_t maxBytes = kNoLimit) const;
    StructReader structure(const std::string& name) const;
    std::optional<StructReader> optionalStructure(const std::string& name) const;
    std::vector<std::string> strings(const std::string& name, std::size_t maxItems = kNoLimit,
                                     std::size_t maxBytes = kNoLimit) const;
    std::vector<StructReader> structures(const std::string& name,
                                         std::size_t maxItems = kNoLimit) const;
    // A member of any type, for what the reader has no accessor for; check its type yourself.
    const xmlrpc_c::value& value(const std::string& name) const;

    // Throws StructError (Invalid) "<where>: member '<name>' <why>" for a check of your own.
    [[noreturn]] void fail(const std::string& name, const std::string& why) const;

private:
    StructReader(const xmlrpc_c::value& value, std::string where, std::string path);
    const xmlrpc_c::value* find(const std::string& name, xmlrpc_c::value::type_t type) const;
    const xmlrpc_c::value& require(const std::string& name, xmlrpc_c::value::type_t type) const;
    std::string pathOf(const std::string& name) const;
    [[noreturn]] void raise(StructError::Kind kind, const std::string& name,
                            const std::string& why) const;

    std::map<std::string, xmlrpc_c::value> members_;
    std::string where_; // the method, starting every message
    std::string path_;  // this struct's path inside the outermost one, "" at the top
};

} // namespace charla::sdk
#endif
