#include "core/method_table.h"

#include "core/logging.h"

#include <xmlrpc-c/girerr.hpp>

#include <algorithm>
#include <stdexcept>

namespace charla::host {

namespace {

// The XML-RPC type name of one letter of an xmlrpc-c signature string, or nullptr.
const char* typeName(char letter) {
    switch (letter) {
    case 'i':
        return "int";
    case 'b':
        return "boolean";
    case 'd':
        return "double";
    case 's':
        return "string";
    case '8':
        return "dateTime.iso8601";
    case '6':
        return "base64";
    case 'S':
        return "struct";
    case 'A':
        return "array";
    case 'n':
        return "nil";
    case 'I':
        return "i8";
    default:
        return nullptr;
    }
}

// "S:,S:S" -> [["struct"], ["struct", "struct"]]: one array per signature, the result type
// first. Empty when the string is empty, "?" or not a signature string.
std::vector<xmlrpc_c::value> introspectionSignatures(const std::string& signature) {
    std::vector<xmlrpc_c::value> out;
    if (signature.empty() || signature == "?")
        return {};
    std::size_t begin = 0;
    while (true) {
        const std::size_t end = std::min(signature.find(',', begin), signature.size());
        const std::string one = signature.substr(begin, end - begin);
        // One result letter, a colon, then zero or more parameter letters.
        if (one.size() < 2 || one[1] != ':' || !typeName(one[0]))
            return {};
        std::vector<xmlrpc_c::value> types{xmlrpc_c::value_string(typeName(one[0]))};
        for (std::size_t i = 2; i < one.size(); ++i) {
            const char* type = typeName(one[i]);
            if (!type)
                return {};
            types.push_back(xmlrpc_c::value_string(type));
        }
        out.push_back(xmlrpc_c::value_array(types));
        if (end == signature.size())
            return out;
        begin = end + 1;
    }
}

} // namespace

MethodTable::MethodTable() {
    sdk::MethodSpec list;
    list.name = "system.listMethods";
    list.signature = "A:";
    list.help = "The methods served right now, plugin methods included.";
    list.handler = [this](const xmlrpc_c::paramList&) {
        std::vector<xmlrpc_c::value> out;
        for (const auto& n : names())
            out.push_back(xmlrpc_c::value_string(n));
        return xmlrpc_c::value_array(out);
    };
    add("host", std::move(list));

    // XML-RPC introspection: what a method's MethodSpec says about itself.
    sdk::MethodSpec signature;
    signature.name = "system.methodSignature";
    signature.signature = "A:s";
    signature.help = "The signatures of a method: an array of arrays of type names, the result "
                     "type first, or the string \"undef\" when they are not known.";
    signature.handler = [this](const xmlrpc_c::paramList& params) -> xmlrpc_c::value {
        params.verifyEnd(1);
        const std::vector<xmlrpc_c::value> signatures =
            introspectionSignatures(find(params.getString(0))->spec.signature);
        if (signatures.empty())
            return xmlrpc_c::value_string("undef");
        return xmlrpc_c::value_array(signatures);
    };
    add("host", std::move(signature));

    sdk::MethodSpec help;
    help.name = "system.methodHelp";
    help.signature = "s:s";
    help.help = "The help text of a method, empty when it has none.";
    help.handler = [this](const xmlrpc_c::paramList& params) {
        params.verifyEnd(1);
        return xmlrpc_c::value_string(find(params.getString(0))->spec.help);
    };
    add("host", std::move(help));
}

void MethodTable::add(const std::string& owner, sdk::MethodSpec spec) {
    if (!spec.handler)
        throw std::invalid_argument("method " + spec.name + " has no handler");
    std::lock_guard lock(mutex_);
    if (entries_.count(spec.name))
        throw std::invalid_argument("method " + spec.name + " is already registered");
    auto& gate = gates_[owner];
    if (!gate)
        gate = std::make_shared<OwnerGate>();
    std::string name = spec.name;
    entries_[name] = std::make_shared<const Entry>(Entry{owner, std::move(spec), gate});
}

void MethodTable::removeOwner(const std::string& owner) {
    std::shared_ptr<OwnerGate> gate;
    {
        std::lock_guard lock(mutex_);
        std::erase_if(entries_, [&](const auto& kv) { return kv.second->owner == owner; });
        auto it = gates_.find(owner);
        if (it == gates_.end())
            return;
        gate = it->second;
        gates_.erase(it);
    }
    std::unique_lock lock(gate->mutex);
    gate->idle.wait(lock, [&] { return gate->inFlight == 0; });
}

void MethodTable::setFailureHandler(FailureHandler handler) {
    std::lock_guard lock(mutex_);
    onFailure_ = std::move(handler);
}

void MethodTable::reportFailure(const std::string& owner, const std::string& what) const {
    FailureHandler handler;
    {
        std::lock_guard lock(mutex_);
        handler = onFailure_;
    }
    if (handler)
        handler(owner, what);
}

std::vector<std::string> MethodTable::names() const {
    std::lock_guard lock(mutex_);
    std::vector<std::string> out;
    for (const auto& kv : entries_)
        out.push_back(kv.first);
    return out;
}

bool MethodTable::contains(const std::string& name) const {
    std::lock_guard lock(mutex_);
    return entries_.count(name) != 0;
}

std::shared_ptr<const MethodTable::Entry> MethodTable::find(const std::string& name) const {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(name);
    if (it == entries_.end())
        throw sdk::fault(sdk::kFaultUnknownMethod, "unknown method '" + name + "'");
    return it->second;
}

xmlrpc_c::value MethodTable::dispatch(const std::string& name,
                                      const xmlrpc_c::paramList& params) const {
    std::shared_ptr<const Entry> entry;
    {
        std::lock_guard lock(mutex_);
        auto it = entries_.find(name);
        if (it != entries_.end())
            entry = it->second;
        if (entry) {
            std::lock_guard gateLock(entry->gate->mutex);
            ++entry->gate->inFlight;
        }
    }
    if (!entry)
        throw sdk::fault(sdk::kFaultUnknownMethod, "unknown method '" + name + "'");

    struct Leave {
        OwnerGate& gate;
        ~Leave() {
            std::lock_guard lock(gate.mutex);
            if (--gate.inFlight == 0)
                gate.idle.notify_all();
        }
    } leave{*entry->gate};

    std::size_t bytes = 0;
    for (unsigned i = 0; i < params.size(); ++i)
        bytes += payloadBytes(params[i]);
    if (bytes > entry->spec.maxPayloadBytes)
        throw sdk::fault(sdk::kFaultTooLarge, name + ": payload of " + std::to_string(bytes) +
                                                  " bytes exceeds the limit of " +
                                                  std::to_string(entry->spec.maxPayloadBytes));
    try {
        return entry->spec.handler(params);
    } catch (const xmlrpc_c::fault& f) {
        // xmlrpc-c's paramList accessors fault with its own type/count codes: report them as
        // Charla's "bad parameters" so a peer sees one code for every malformed call.
        if (f.getCode() == XMLRPC_TYPE_ERROR || f.getCode() == XMLRPC_INDEX_ERROR)
            throw sdk::fault(sdk::kFaultBadParams,
                             f.getDescription().rfind(name, 0) == 0
                                 ? f.getDescription()
                                 : name + ": bad parameters: " + f.getDescription());
        throw;
    } catch (const girerr::error& e) {
        // xmlrpc-c's own accessors (getStruct, value_string(...) on a wrong type) throw these.
        throw sdk::fault(sdk::kFaultBadParams, name + ": bad parameters: " + e.what());
    } catch (const std::exception& e) {
        qCWarning(lcChannel) << "handler of" << name.c_str() << "failed:" << e.what();
        reportFailure(entry->owner, name + ": " + e.what());
        throw sdk::fault(sdk::kFaultInternal, name + " failed: " + e.what());
    } catch (...) {
        qCWarning(lcChannel) << "handler of" << name.c_str() << "threw a non-exception";
        reportFailure(entry->owner, name + ": unknown exception");
        throw sdk::fault(sdk::kFaultInternal, name + " failed");
    }
}

std::size_t payloadBytes(const xmlrpc_c::value& value) {
    switch (value.type()) {
    case xmlrpc_c::value::TYPE_STRING:
        return static_cast<std::string>(xmlrpc_c::value_string(value)).size();
    case xmlrpc_c::value::TYPE_BYTESTRING:
        return xmlrpc_c::value_bytestring(value).length();
    case xmlrpc_c::value::TYPE_ARRAY: {
        std::size_t sum = 0;
        for (const auto& v : xmlrpc_c::value_array(value).vectorValueValue())
            sum += payloadBytes(v);
        return sum;
    }
    case xmlrpc_c::value::TYPE_STRUCT: {
        std::size_t sum = 0;
        for (const auto& kv :
             static_cast<std::map<std::string, xmlrpc_c::value>>(xmlrpc_c::value_struct(value)))
            sum += kv.first.size() + payloadBytes(kv.second);
        return sum;
    }
    default:
        return 8;
    }
}

} // namespace charla::host
