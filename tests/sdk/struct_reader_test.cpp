// charla::sdk::StructReader: each accessor's refusal names the member and what was expected, and
// comes as a kFaultBadParams fault of the right kind.
#include <charla/sdk/struct_reader.h>

#include <gtest/gtest.h>

#include <functional>
#include <limits>
#include <map>

namespace charla::sdk {
namespace {

using Members = std::map<std::string, xmlrpc_c::value>;

xmlrpc_c::value sample() {
    return xmlrpc_c::value_struct(Members{
        {"name", xmlrpc_c::value_string("alice")},
        {"count", xmlrpc_c::value_int(7)},
        {"ratio", xmlrpc_c::value_double(0.5)},
        {"whole", xmlrpc_c::value_int(3)},
        {"flag", xmlrpc_c::value_boolean(true)},
        {"blob", xmlrpc_c::value_bytestring(std::vector<unsigned char>{1, 2, 3})},
        {"tags", xmlrpc_c::value_array({xmlrpc_c::value_string("a"), xmlrpc_c::value_int(2)})},
        {"inner", xmlrpc_c::value_struct(Members{{"deep", xmlrpc_c::value_int(-1)}})},
        {"list", xmlrpc_c::value_array(
                     {xmlrpc_c::value_struct(Members{}), xmlrpc_c::value_struct(Members{})})},
    });
}

// The error `read` throws; fails the test if it throws nothing.
StructError errorOf(const std::function<void()>& read) {
    try {
        read();
    } catch (const StructError& e) {
        return e;
    }
    ADD_FAILURE() << "no StructError";
    return StructError(StructError::Kind::Invalid, "", "");
}

TEST(StructReader, ReadsWellFormedMembers) {
    const StructReader r(sample(), "test.call");
    EXPECT_EQ(r.string("name", 5), "alice");
    EXPECT_EQ(r.integer("count", 0, 10), 7);
    EXPECT_EQ(r.number("ratio"), 0.5);
    EXPECT_EQ(r.number("whole"), 3.0);
    EXPECT_TRUE(r.boolean("flag"));
    EXPECT_EQ(r.bytes("blob", 3), (std::vector<unsigned char>{1, 2, 3}));
    EXPECT_EQ(r.structure("inner").integer("deep"), -1);
    EXPECT_EQ(r.structures("list", 2).size(), 2u);
    EXPECT_FALSE(r.optionalString("absent"));
    EXPECT_FALSE(r.optionalStructure("absent"));
    EXPECT_EQ(r.optionalInteger("count"), 7);
    EXPECT_TRUE(r.has("flag"));
    EXPECT_FALSE(r.has("absent"));
}

TEST(StructReader, RefusalsNameTheMemberAndWhatWasExpected) {
    const StructReader r(sample(), "test.call");
    struct Case {
        std::function<void()> read;
        StructError::Kind kind;
        std::string member;
        std::string message;
    };
    const std::vector<Case> cases = {
        {[&] { r.string("absent"); }, StructError::Kind::Missing, "absent",
         "test.call: member 'absent' is missing"},
        {[&] { r.string("count"); }, StructError::Kind::WrongType, "count",
         "test.call: member 'count' must be a string, got an int"},
        {[&] { r.optionalString("count"); }, StructError::Kind::WrongType, "count",
         "test.call: member 'count' must be a string, got an int"},
        {[&] { r.string("name", 4); }, StructError::Kind::TooLarge, "name",
         "test.call: member 'name' is 5 bytes, more than 4"},
        {[&] { r.integer("count", 8, 10); }, StructError::Kind::OutOfRange, "count",
         "test.call: member 'count' is 7, expected 8..10"},
        {[&] { r.number("name"); }, StructError::Kind::WrongType, "name",
         "test.call: member 'name' must be a number, got a string"},
        {[&] { r.bytes("blob", 2); }, StructError::Kind::TooLarge, "blob",
         "test.call: member 'blob' is 3 bytes, more than 2"},
        {[&] { r.strings("tags"); }, StructError::Kind::WrongType, "tags[1]",
         "test.call: member 'tags[1]' must be a string, got an int"},
        {[&] { r.strings("tags", 1); }, StructError::Kind::TooLarge, "tags",
         "test.call: member 'tags' is 2 items, more than 1"},
        {[&] { r.structure("inner").integer("deep", 0); }, StructError::Kind::OutOfRange,
         "inner.deep", "test.call: member 'inner.deep' is -1, expected 0..2147483647"},
        {[&] { r.structures("list")[1].string("x"); }, StructError::Kind::Missing, "list[1].x",
         "test.call: member 'list[1].x' is missing"},
        {[&] { r.structure("name"); }, StructError::Kind::WrongType, "name",
         "test.call: member 'name' must be a struct, got a string"},
        {[&] { r.fail("name", "is not a user we know"); }, StructError::Kind::Invalid, "name",
         "test.call: member 'name' is not a user we know"},
        {[&] { StructReader(xmlrpc_c::value_int(1), "test.call"); }, StructError::Kind::NotAStruct,
         "", "test.call: the parameter must be a struct, got an int"},
        {[&] { StructReader::onlyParam(xmlrpc_c::paramList(), "test.call"); },
         StructError::Kind::NotAStruct, "",
         "test.call: expected exactly one parameter (a struct), got 0"},
    };
    for (const Case& c : cases) {
        const StructError e = errorOf(c.read);
        EXPECT_EQ(e.getDescription(), c.message);
        EXPECT_EQ(e.kind(), c.kind) << c.message;
        EXPECT_EQ(e.member(), c.member) << c.message;
        EXPECT_EQ(static_cast<int>(e.getCode()), kFaultBadParams) << c.message;
    }
}

TEST(StructReader, ANonFiniteNumberIsRefused) {
    const StructReader r(
        xmlrpc_c::value_struct(
            Members{{"ts", xmlrpc_c::value_double(std::numeric_limits<double>::infinity())}}),
        "test.call");
    EXPECT_EQ(errorOf([&] { r.number("ts"); }).kind(), StructError::Kind::OutOfRange);
}

// What a method handler lets escape is an xmlrpc_c::fault: the host answers it as such.
TEST(StructReader, ItsErrorIsAnXmlRpcFault) {
    try {
        StructReader(xmlrpc_c::value_struct(Members{}), "test.call").string("x");
        FAIL() << "no fault";
    } catch (const xmlrpc_c::fault& f) {
        EXPECT_EQ(static_cast<int>(f.getCode()), kFaultBadParams);
    }
}

TEST(Fault, CarriesCharlasCodeWithoutACast) {
    const xmlrpc_c::fault f = fault(kFaultUnavailable, "busy");
    EXPECT_EQ(static_cast<int>(f.getCode()), 503);
    EXPECT_EQ(f.getDescription(), "busy");
}

} // namespace
} // namespace charla::sdk
