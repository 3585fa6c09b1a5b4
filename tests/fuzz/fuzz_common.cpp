#include "fuzz_common.h"

#include <QCoreApplication>
#include <QtGlobal>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <unistd.h>

namespace charla::fuzz {

namespace {

void dropMessage(QtMsgType type, const QMessageLogContext&, const QString& message) {
    if (type == QtFatalMsg) {
        std::fprintf(stderr, "qFatal: %s\n", qPrintable(message));
        std::abort();
    }
    if (std::getenv("CHARLA_FUZZ_VERBOSE"))
        std::fprintf(stderr, "qt: %s\n", qPrintable(message));
}

struct Scratch {
    std::string path;
    Scratch() {
        std::filesystem::path base = "/dev/shm";
        if (!std::filesystem::is_directory(base))
            base = std::filesystem::temp_directory_path();
        path = (base / ("charla-fuzz-" + std::to_string(::getpid()))).string();
        std::filesystem::create_directories(path);
    }
    ~Scratch() {
        std::error_code ignored;
        std::filesystem::remove_all(path, ignored);
    }
};

} // namespace

bool skipKnownXmlrpcCrash(std::string_view xml) {
    static const bool ignore = std::getenv("CHARLA_FUZZ_IGNORE_KNOWN") != nullptr;
    return ignore && xml.find("i8") != std::string_view::npos;
}

void setUp(int* argc, char*** argv) {
    qInstallMessageHandler(dropMessage);
    if (QCoreApplication::instance())
        return;
    // Never destroyed: objects with static storage (method handlers, the text store) may still
    // use Qt while the process exits.
    static int storedArgc = *argc;
    new QCoreApplication(storedArgc, *argv);
}

const std::string& scratchDir() {
    static Scratch scratch;
    return scratch.path;
}

void fail(const char* target, const std::string& what, const std::uint8_t* data, std::size_t size) {
    std::fprintf(stderr, "\n==== %s: %s\n==== input (%zu bytes):", target, what.c_str(), size);
    for (std::size_t i = 0; i < size && i < 256; ++i)
        std::fprintf(stderr, "%s%02x", i % 32 == 0 ? "\n" : " ", data[i]);
    std::fprintf(stderr, "%s\n", size > 256 ? " ..." : "");
    std::abort();
}

std::optional<ModedInput> splitMode(const std::uint8_t* data, std::size_t size) {
    if (size == 0)
        return std::nullopt;
    return ModedInput{data[0], data + 1, size - 1};
}

} // namespace charla::fuzz

// Weak: a harness's own LLVMFuzzerInitialize replaces this one.
extern "C" __attribute__((weak)) int LLVMFuzzerInitialize(int* argc, char*** argv) {
    charla::fuzz::setUp(argc, argv);
    return 0;
}
