// The wire format of `text.send`: one message, and the receiver's acknowledgement.
//
//   text.send({id: UUID string, sent_at: ISO 8601 UTC string, body: UTF-8 string})
//       -> {id: string, status: "delivered" | "duplicate"}
//
// Pure functions, usable from any thread.
#pragma once

#include <QDateTime>
#include <QString>
#include <QUuid>

#include <charla/sdk/struct_reader.h>

#include <xmlrpc-c/base.hpp>

#include <cstddef>

namespace charla::text {

inline constexpr char kSendMethod[] = "text.send";
// The body limit is in UTF-8 bytes, what the wire carries; the method limit leaves room for the
// id, the timestamp and the member names the host counts too.
inline constexpr std::size_t kMaxBodyBytes = 16 * 1024;
// Room for the body twice (body and body_utf8) plus the other members.
inline constexpr std::size_t kMaxSendPayloadBytes = 2 * kMaxBodyBytes + 4 * 1024;

struct TextMessage {
    QUuid id;
    QDateTime sentAt; // always UTC
    QString body;
};

// What the receiver answers: a repeated id is acknowledged but not shown again.
enum class ReceiptStatus { Delivered, Duplicate };

// A fresh message from the local user: a new UUID, sent now.
TextMessage makeOutgoingMessage(const QString& body);

// Why `body` cannot be sent (empty, whitespace only, too long), or an empty string if it can.
QString composeProblem(const QString& body);

// The params of a text.send call: exactly one struct with the three members, strictly checked.
// Unknown extra members are ignored so that a newer peer can add fields. Throws
// charla::sdk::StructError (an xmlrpc_c::fault with kFaultBadParams) naming the member and why.
TextMessage parseSendParams(const xmlrpc_c::paramList& params);
TextMessage parseTextMessage(const xmlrpc_c::value& value);
TextMessage parseTextMessage(const sdk::StructReader& members);

// The struct parseTextMessage accepts.
xmlrpc_c::value toXmlRpc(const TextMessage& message);

// Wire spellings: "8c1d...-..." (lowercase, no braces) and "2024-05-01T12:34:56.789Z".
std::string wireId(const QUuid& id);
std::string wireTime(const QDateTime& time);

xmlrpc_c::value makeReceipt(const QUuid& id, ReceiptStatus status);
// Checks the receiver's answer to a call that sent `expectedId`. Throws std::runtime_error.
ReceiptStatus parseReceipt(const xmlrpc_c::value& value, const QUuid& expectedId);

} // namespace charla::text
