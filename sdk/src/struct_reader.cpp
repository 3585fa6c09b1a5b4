#include <charla/sdk/struct_reader.h>

#include <cmath>

namespace charla::sdk {

namespace {

const char* typeName(xmlrpc_c::value::type_t type) {
    switch (type) {
    case xmlrpc_c::value::TYPE_INT:
        return "an int";
    case xmlrpc_c::value::TYPE_BOOLEAN:
        return "a boolean";
    case xmlrpc_c::value::TYPE_DOUBLE:
        return "a double";
    case xmlrpc_c::value::TYPE_DATETIME:
        return "a dateTime";
    case xmlrpc_c::value::TYPE_STRING:
        return "a string";
    case xmlrpc_c::value::TYPE_BYTESTRING:
        return "base64";
    case xmlrpc_c::value::TYPE_ARRAY:
        return "an array";
    case xmlrpc_c::value::TYPE_STRUCT:
        return "a struct";
    case xmlrpc_c::value::TYPE_I8:
        return "an i8";
    case xmlrpc_c::value::TYPE_NIL:
        return "nil";
    default:
        return "another type";
    }
}

std::string tooLarge(std::size_t size, std::size_t max, const char* unit) {
    return "is " + std::to_string(size) + " " + unit + ", more than " + std::to_string(max);
}

} // namespace

StructError::StructError(Kind kind, std::string member, const std::string& message)
    : xmlrpc_c::fault(sdk::fault(kFaultBadParams, message)), kind_(kind),
      member_(std::move(member)) {}

StructReader::StructReader(const xmlrpc_c::value& value, std::string where)
    : StructReader(value, std::move(where), {}) {}

StructReader::StructReader(const xmlrpc_c::value& value, std::string where, std::string path)
    : where_(std::move(where)), path_(std::move(path)) {
    if (value.type() != xmlrpc_c::value::TYPE_STRUCT) {
        const std::string what = path_.empty() ? "the parameter" : "member '" + path_ + "'";
        throw StructError(
            path_.empty() ? StructError::Kind::NotAStruct : StructError::Kind::WrongType, path_,
            where_ + ": " + what + " must be a struct, got " + typeName(value.type()));
    }
    members_ = xmlrpc_c::value_struct(value);
}

StructReader StructReader::onlyParam(const xmlrpc_c::paramList& params, std::string where) {
    if (params.size() != 1)
        throw StructError(StructError::Kind::NotAStruct, {},
                          where + ": expected exactly one parameter (a struct), got " +
                              std::to_string(params.size()));
    return StructReader(params[0], std::move(where));
}

std::string StructReader::pathOf(const std::string& name) const {
    return path_.empty() ? name : path_ + "." + name;
}

void StructReader::raise(StructError::Kind kind, const std::string& name,
                         const std::string& why) const {
    throw StructError(kind, pathOf(name), where_ + ": member '" + pathOf(name) + "' " + why);
}

void StructReader::fail(const std::string& name, const std::string& why) const {
    raise(StructError::Kind::Invalid, name, why);
}

bool StructReader::has(const std::string& name) const {
    return members_.count(name) != 0;
}

std::vector<std::string> StructReader::names() const {
    std::vector<std::string> out;
    for (const auto& entry : members_)
        out.push_back(entry.first);
    return out;
}

const xmlrpc_c::value* StructReader::find(const std::string& name,
                                          xmlrpc_c::value::type_t type) const {
    auto it = members_.find(name);
    if (it == members_.end())
        return nullptr;
    if (it->second.type() != type)
        raise(StructError::Kind::WrongType, name,
              std::string("must be ") + typeName(type) + ", got " + typeName(it->second.type()));
    return &it->second;
}

const xmlrpc_c::value& StructReader::require(const std::string& name,
                                             xmlrpc_c::value::type_t type) const {
    if (const xmlrpc_c::value* v = find(name, type))
        return *v;
    raise(StructError::Kind::Missing, name, "is missing");
}

const xmlrpc_c::value& StructReader::value(const std::string& name) const {
    auto it = members_.find(name);
    if (it == members_.end())
        raise(StructError::Kind::Missing, name, "is missing");
    return it->second;
}

std::optional<std::string> StructReader::optionalString(const std::string& name,
                                                        std::size_t maxBytes) const {
    const xmlrpc_c::value* v = find(name, xmlrpc_c::value::TYPE_STRING);
    if (!v)
        return std::nullopt;
    std::string text = xmlrpc_c::value_string(*v);
    if (text.size() > maxBytes)
        raise(StructError::Kind::TooLarge, name, tooLarge(text.size(), maxBytes, "bytes"));
    return text;
}

std::string StructReader::string(const std::string& name, std::size_t maxBytes) const {
    require(name, xmlrpc_c::value::TYPE_STRING);
    return *optionalString(name, maxBytes);
}

std::optional<int> StructReader::optionalInteger(const std::string& name, int min, int max) const {
    const xmlrpc_c::value* v = find(name, xmlrpc_c::value::TYPE_INT);
    if (!v)
        return std::nullopt;
    const int n = xmlrpc_c::value_int(*v);
    if (n < min || n > max)
        raise(StructError::Kind::OutOfRange, name,
              "is " + std::to_string(n) + ", expected " + std::to_string(min) + ".." +
                  std::to_string(max));
    return n;
}

int StructReader::integer(const std::string& name, int min, int max) const {
    require(name, xmlrpc_c::value::TYPE_INT);
    return *optionalInteger(name, min, max);
}

bool StructReader::boolean(const std::string& name) const {
    return xmlrpc_c::value_boolean(require(name, xmlrpc_c::value::TYPE_BOOLEAN));
}

double StructReader::number(const std::string& name) const {
    const xmlrpc_c::value& v = value(name);
    double n = 0;
    if (v.type() == xmlrpc_c::value::TYPE_DOUBLE)
        n = xmlrpc_c::value_double(v);
    else if (v.type() == xmlrpc_c::value::TYPE_INT)
        n = xmlrpc_c::value_int(v);
    else if (v.type() == xmlrpc_c::value::TYPE_I8)
        n = static_cast<double>(xmlrpc_c::value_i8(v));
    else
        raise(StructError::Kind::WrongType, name,
              std::string("must be a number, got ") + typeName(v.type()));
    if (!std::isfinite(n))
        raise(StructError::Kind::OutOfRange, name, "must be a finite number");
    return n;
}

std::optional<std::vector<unsigned char>> StructReader::optionalBytes(const std::string& name,
                                                                      std::size_t maxBytes) const {
    const xmlrpc_c::value* v = find(name, xmlrpc_c::value::TYPE_BYTESTRING);
    if (!v)
        return std::nullopt;
    std::vector<unsigned char> bytes = xmlrpc_c::value_bytestring(*v).vectorUcharValue();
    if (bytes.size() > maxBytes)
        raise(StructError::Kind::TooLarge, name, tooLarge(bytes.size(), maxBytes, "bytes"));
    return bytes;
}

std::vector<unsigned char> StructReader::bytes(const std::string& name,
                                               std::size_t maxBytes) const {
    require(name, xmlrpc_c::value::TYPE_BYTESTRING);
    return *optionalBytes(name, maxBytes);
}

std::optional<StructReader> StructReader::optionalStructure(const std::string& name) const {
    const xmlrpc_c::value* v = find(name, xmlrpc_c::value::TYPE_STRUCT);
    if (!v)
        return std::nullopt;
    return StructReader(*v, where_, pathOf(name));
}

StructReader StructReader::structure(const std::string& name) const {
    return StructReader(require(name, xmlrpc_c::value::TYPE_STRUCT), where_, pathOf(name));
}

std::vector<std::string> StructReader::strings(const std::string& name, std::size_t maxItems,
                                               std::size_t maxBytes) const {
    const std::vector<xmlrpc_c::value> items =
        xmlrpc_c::value_array(require(name, xmlrpc_c::value::TYPE_ARRAY)).vectorValueValue();
    if (items.size() > maxItems)
        raise(StructError::Kind::TooLarge, name, tooLarge(items.size(), maxItems, "items"));
    std::vector<std::string> out;
    for (std::size_t i = 0; i < items.size(); ++i) {
        const std::string item = name + "[" + std::to_string(i) + "]";
        if (items[i].type() != xmlrpc_c::value::TYPE_STRING)
            raise(StructError::Kind::WrongType, item,
                  std::string("must be a string, got ") + typeName(items[i].type()));
        out.push_back(xmlrpc_c::value_string(items[i]));
        if (out.back().size() > maxBytes)
            raise(StructError::Kind::TooLarge, item,
                  tooLarge(out.back().size(), maxBytes, "bytes"));
    }
    return out;
}

std::vector<StructReader> StructReader::structures(const std::string& name,
                                                   std::size_t maxItems) const {
    const std::vector<xmlrpc_c::value> items =
        xmlrpc_c::value_array(require(name, xmlrpc_c::value::TYPE_ARRAY)).vectorValueValue();
    if (items.size() > maxItems)
        raise(StructError::Kind::TooLarge, name, tooLarge(items.size(), maxItems, "items"));
    std::vector<StructReader> out;
    for (std::size_t i = 0; i < items.size(); ++i)
        out.push_back(StructReader(items[i], where_, pathOf(name + "[" + std::to_string(i) + "]")));
    return out;
}

} // namespace charla::sdk
