// The SHA-256 of a file, fed piece by piece: what the sender offers and what the receiver checks
// before a file gets its name. OpenSSL's SHA-256 uses the CPU's SHA extensions; Qt 6.4's
// QCryptographicHash does not, and was 8x slower here (197 against 1540 MB/s), which made hashing
// most of the receiver's CPU while a file moved beside a call (docs/performance.md).
#pragma once

#include <QString>

#include <cstddef>

typedef struct evp_md_ctx_st EVP_MD_CTX;

namespace charla::files {

class FileDigest {
public:
    FileDigest(); // throws std::bad_alloc when OpenSSL cannot set one up
    ~FileDigest();
    FileDigest(const FileDigest&) = delete;
    FileDigest& operator=(const FileDigest&) = delete;

    void add(const void* data, std::size_t size);
    // The digest of everything added, as 64 lower-case hex digits. Call once, at the end.
    QString hex();

private:
    EVP_MD_CTX* context_;
};

} // namespace charla::files
