// Shared bits of the libFuzzer harnesses: quiet Qt logging, a Qt application, scratch files, and
// a check that reports which property of the code under test broke before aborting (libFuzzer
// then saves the input as crash-<sha1>).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace charla::fuzz {

// What every harness needs first, from LLVMFuzzerInitialize: Qt's messages dropped except
// qFatal (which still aborts; a fuzzer feeds millions of bad inputs, each of which may log a
// warning), and the process's QCoreApplication. fuzz_common.cpp's LLVMFuzzerInitialize does only
// this; a harness that needs more defines its own and calls setUp() first.
void setUp(int* argc, char*** argv);

// A private directory in /dev/shm (or $TMPDIR) for this process, removed at exit.
const std::string& scratchDir();

// Known bug (README.md, "Findings"): xmlrpc-c 1.33.14 crashes (SIGSEGV) parsing an <i8> whose
// content is not a plain in-range integer. With CHARLA_FUZZ_IGNORE_KNOWN=1 in the environment,
// true for any document mentioning i8, so that fuzzing can go on looking for other bugs until
// Charla guards against it; regressions/ reproduces it without the variable.
bool skipKnownXmlrpcCrash(std::string_view xml);

// An input whose first byte chooses what the harness does with the rest (each harness gives the
// bits their meaning; the corpus files start with that byte).
struct ModedInput {
    std::uint8_t mode = 0;
    const std::uint8_t* payload = nullptr;
    std::size_t size = 0;
};
// nullopt for an empty input.
std::optional<ModedInput> splitMode(const std::uint8_t* data, std::size_t size);

// Prints `what` and the input in hex (first 256 bytes), then aborts.
[[noreturn]] void fail(const char* target, const std::string& what, const std::uint8_t* data,
                       std::size_t size);

} // namespace charla::fuzz

#define CHARLA_FUZZ_CHECK(cond, what)                                                              \
    do {                                                                                           \
        if (!(cond))                                                                               \
            ::charla::fuzz::fail(__FILE__, std::string("property violated: ") + (what), data,      \
                                 size);                                                            \
    } while (0)
