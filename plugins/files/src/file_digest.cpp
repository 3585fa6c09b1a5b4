#include "file_digest.h"

#include <openssl/evp.h>

#include <new>

namespace charla::files {

FileDigest::FileDigest() : context_(EVP_MD_CTX_new()) {
    if (!context_ || EVP_DigestInit_ex(context_, EVP_sha256(), nullptr) != 1) {
        EVP_MD_CTX_free(context_);
        throw std::bad_alloc();
    }
}

FileDigest::~FileDigest() {
    EVP_MD_CTX_free(context_);
}

void FileDigest::add(const void* data, std::size_t size) {
    EVP_DigestUpdate(context_, data, size); // cannot fail for SHA-256 once initialised
}

QString FileDigest::hex() {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_DigestFinal_ex(context_, digest, &length);
    return QString::fromLatin1(
        QByteArray(reinterpret_cast<const char*>(digest), static_cast<qsizetype>(length)).toHex());
}

} // namespace charla::files
