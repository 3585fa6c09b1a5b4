// Whole files in tests: what a test plants on disk (a damaged store, a leftover crash guard, junk
// where a key should be) and what it reads back to check that nothing replaced it.
#pragma once

#include <QByteArray>
#include <QString>

namespace charla::test {

// Creates or replaces `path` with exactly `bytes`; false if it cannot be written.
bool writeFile(const QString& path, const QByteArray& bytes);

// The whole content of `path`; empty when it cannot be read.
QByteArray readFile(const QString& path);

} // namespace charla::test
