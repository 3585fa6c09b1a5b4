// What every test and benchmark program does first, before any thread or Qt application exists.
#pragma once

#include <QString>
#include <QTemporaryDir>

namespace charla::test {

// The process-wide library set-up of host/src/app/main.cpp (SIGPIPE ignored, libcurl initialised
// once), plus xmlrpc-c's parser limit raised to 16 MiB for the tests' own parsing of large
// documents, and Qt's offscreen platform when no platform or display was given (ctest sets it
// through CHARLA_TEST_ENV; test discovery and hand runs may have no display). Returns false, with
// the reason on stderr, if the libraries refuse.
bool setUpProcess();

// Settings, data and runtime directories of this process only, below XDG_CONFIG_HOME (or the
// temporary directory): processes that ctest runs in parallel never share them. Kept while the
// object lives.
class PrivateHome {
public:
    PrivateHome();
    QString path() const { return dir_.path(); }

private:
    QTemporaryDir dir_;
};

} // namespace charla::test
