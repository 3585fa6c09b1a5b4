// readManifest() on a file holding the input: JSON parsing, the validation of every member, the
// id/option/abi/qt regular expressions and the library check. A library file named
// libcharla_fuzz.so exists beside the manifest, so inputs that name it get through every check.
#include "fuzz_common.h"

#include "core/plugin_manifest.h"

#include <QString>

#include <cstdio>
#include <fstream>

using namespace charla;

namespace {
QString manifestPath;
}

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
    fuzz::setUp(argc, argv);
    const std::string dir = fuzz::scratchDir();
    std::ofstream(dir + "/libcharla_fuzz.so") << "not really a library";
    manifestPath = QString::fromStdString(dir + "/charla_fuzz.json");
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    {
        std::FILE* f = std::fopen(manifestPath.toLocal8Bit().constData(), "wb");
        if (!f)
            return 0;
        if (size)
            std::fwrite(data, 1, size, f);
        std::fclose(f);
    }
    const host::ManifestResult result = host::readManifest(manifestPath);
    if (!result.error.isEmpty())
        return 0;
    const host::PluginManifest& m = result.manifest;
    // What the host relies on once a manifest is accepted.
    CHARLA_FUZZ_CHECK(!m.id.isEmpty() && m.id.size() <= 32,
                      "accepted id '" + m.id.toStdString() + "'");
    CHARLA_FUZZ_CHECK(m.id != "host" && m.id != "system" && m.id != "call", "reserved id accepted");
    CHARLA_FUZZ_CHECK(!m.library.isEmpty() &&
                          m.library.startsWith(QString::fromStdString(fuzz::scratchDir())),
                      "library outside the manifest's directory: " + m.library.toStdString());
    for (const auto& option : m.cliOptions)
        CHARLA_FUZZ_CHECK(!option.name.isEmpty() && !option.valueName.isEmpty(), "empty option");
    (void)host::incompatibility(m);
    return 0;
}
