#include "security/datagram_keys.h"

#include <openssl/evp.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <cstring>
#include <memory>

namespace charla::security {

namespace {

struct CipherCtxFree {
    void operator()(EVP_CIPHER_CTX* ctx) const { EVP_CIPHER_CTX_free(ctx); }
};

// One context per thread, initialised again for every datagram (a ChaCha20 key set-up is cheap;
// allocating a context per datagram is what costs).
EVP_CIPHER_CTX* threadContext() {
    thread_local std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree> ctx(EVP_CIPHER_CTX_new());
    return ctx.get();
}

std::array<std::uint8_t, 12> nonceFor(const DatagramKey& key, std::uint64_t seq) {
    std::array<std::uint8_t, 12> nonce = key.iv;
    for (int i = 0; i < 8; ++i)
        nonce[4 + i] ^= static_cast<std::uint8_t>(seq >> (56 - 8 * i));
    return nonce;
}

int intSize(std::size_t size) {
    return static_cast<int>(size); // datagrams are at most 2048 bytes
}

// What sealing and opening share: the thread's context keyed for datagram `seq` (encrypt 1 seals,
// 0 opens), the additional data, then `size` bytes of `in` through the cipher into `out`. Returns
// the context, ready for the tag and Final, or nullptr on any failure.
EVP_CIPHER_CTX* runCipher(int encrypt, const DatagramKey& key, std::uint64_t seq,
                          const std::uint8_t* aad, std::size_t aadSize, const std::uint8_t* in,
                          std::size_t size, std::uint8_t* out, int* written) {
    EVP_CIPHER_CTX* ctx = threadContext();
    const auto nonce = nonceFor(key, seq);
    int n = 0;
    *written = 0;
    if (!ctx ||
        EVP_CipherInit_ex(ctx, EVP_chacha20_poly1305(), nullptr, key.key.data(), nonce.data(),
                          encrypt) != 1 ||
        EVP_CipherUpdate(ctx, nullptr, &n, aad, intSize(aadSize)) != 1)
        return nullptr;
    if (size > 0 && EVP_CipherUpdate(ctx, out, written, in, intSize(size)) != 1)
        return nullptr;
    return ctx;
}

} // namespace

std::optional<DatagramKey> exportDatagramKey(SSL* ssl) {
    if (!ssl)
        return std::nullopt;
    std::array<std::uint8_t, 48> material{};
    if (SSL_export_keying_material(ssl, material.data(), material.size(), kDatagramExporterLabel,
                                   std::strlen(kDatagramExporterLabel), nullptr, 0, 0) != 1)
        return std::nullopt;
    DatagramKey out;
    std::memcpy(out.key.data(), material.data(), 32);
    std::memcpy(out.iv.data(), material.data() + 32, 12);
    out.epoch = (std::uint32_t(material[44]) << 24) | (std::uint32_t(material[45]) << 16) |
                (std::uint32_t(material[46]) << 8) | material[47];
    OPENSSL_cleanse(material.data(), material.size());
    return out;
}

bool sealDatagram(const DatagramKey& key, std::uint64_t seq, const std::uint8_t* aad,
                  std::size_t aadSize, const std::uint8_t* plain, std::size_t size,
                  std::uint8_t* out) {
    int written = 0;
    EVP_CIPHER_CTX* ctx = runCipher(1, key, seq, aad, aadSize, plain, size, out, &written);
    int n = 0;
    if (!ctx || EVP_EncryptFinal_ex(ctx, out + written, &n) != 1)
        return false;
    return EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, kDatagramAeadTagBytes, out + size) == 1;
}

bool openDatagram(const DatagramKey& key, std::uint64_t seq, const std::uint8_t* aad,
                  std::size_t aadSize, const std::uint8_t* sealed, std::size_t sealedSize,
                  std::uint8_t* out) {
    if (sealedSize < kDatagramAeadTagBytes)
        return false;
    const std::size_t size = sealedSize - kDatagramAeadTagBytes;
    int written = 0;
    EVP_CIPHER_CTX* ctx = runCipher(0, key, seq, aad, aadSize, sealed, size, out, &written);
    if (!ctx)
        return false;
    // The tag is set before Final, which checks it; the plaintext is only used if it matched.
    std::array<std::uint8_t, kDatagramAeadTagBytes> tag{};
    std::memcpy(tag.data(), sealed + size, tag.size());
    if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, tag.size(), tag.data()) != 1)
        return false;
    int n = 0;
    return EVP_DecryptFinal_ex(ctx, out + written, &n) == 1;
}

void DatagramKeyRing::add(std::uint64_t connection, const DatagramKey& key) {
    std::lock_guard lock(mutex_);
    prune(std::chrono::steady_clock::now());
    if (entries_.size() >= kMaxKeys) {
        // Full (a contact churning connections): the oldest retired key goes, else the oldest.
        auto victim = std::find_if(entries_.begin(), entries_.end(),
                                   [](const Entry& e) { return e.retiredAt.has_value(); });
        entries_.erase(victim != entries_.end() ? victim : entries_.begin());
    }
    entries_.push_back(Entry{connection, key, {}, std::nullopt});
}

void DatagramKeyRing::retire(std::uint64_t connection, std::chrono::steady_clock::time_point now) {
    std::lock_guard lock(mutex_);
    for (Entry& e : entries_)
        if (e.connection == connection && !e.retiredAt)
            e.retiredAt = now;
    prune(now);
}

void DatagramKeyRing::clear() {
    std::lock_guard lock(mutex_);
    entries_.clear();
}

std::size_t DatagramKeyRing::size() const {
    std::lock_guard lock(mutex_);
    return entries_.size();
}

std::size_t DatagramKeyRing::retired() const {
    std::lock_guard lock(mutex_);
    return static_cast<std::size_t>(std::count_if(
        entries_.begin(), entries_.end(), [](const Entry& e) { return e.retiredAt.has_value(); }));
}

void DatagramKeyRing::prune(std::chrono::steady_clock::time_point now) {
    std::erase_if(entries_, [now](const Entry& e) {
        return e.retiredAt && now - *e.retiredAt >= kRetiredKeyGrace;
    });
}

DatagramKeyRing::Result DatagramKeyRing::open(std::uint32_t epoch, std::uint64_t seq,
                                              const std::uint8_t* aad, std::size_t aadSize,
                                              const std::uint8_t* sealed, std::size_t sealedSize,
                                              std::vector<std::uint8_t>& out,
                                              std::chrono::steady_clock::time_point now) {
    if (sealedSize < kDatagramAeadTagBytes)
        return Result::BadTag;
    out.resize(sealedSize - kDatagramAeadTagBytes);
    std::lock_guard lock(mutex_);
    prune(now);
    Result result = Result::UnknownEpoch;
    // Two live connections may share an epoch (32 bits): the tag tells which key it is.
    for (Entry& e : entries_) {
        if (e.key.epoch != epoch)
            continue;
        switch (e.window.check(seq)) {
        case ReplayWindow::Verdict::Duplicate:
            result = Result::Replayed;
            continue;
        case ReplayWindow::Verdict::TooOld:
            result = Result::TooOld;
            continue;
        case ReplayWindow::Verdict::New:
            break;
        }
        if (!openDatagram(e.key, seq, aad, aadSize, sealed, sealedSize, out.data())) {
            if (result == Result::UnknownEpoch)
                result = Result::BadTag;
            continue;
        }
        e.window.accept(seq);
        return Result::Ok;
    }
    return result;
}

} // namespace charla::security
