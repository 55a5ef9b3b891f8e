// The byte-level encodings of an email as Go's standard library writes them for Alertmanager's
// email integration: RFC 2047 Q-encoded header words (mime.QEncoding), quoted-printable bodies
// (mime/quotedprintable.Writer), and the SMTP DATA framing with dot-stuffing and CRLF line ends
// (net/textproto.DotWriter). Byte-for-byte ports of Go 1.19, so a message from this daemon and
// one from Alertmanager 0.25 differ only in their random parts (Message-Id, boundary, Date).
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace am::notify {

// mime.QEncoding.Encode("utf-8", s): `s` unchanged when it is printable ASCII (tab allowed),
// else one or more `=?utf-8?q?...?=` words of at most 75 bytes, separated by a space, never
// splitting a UTF-8 sequence; space becomes `_`, and `=`, `?`, `_`, control and non-ASCII bytes
// become `=XX`.
std::string QEncodeWord(std::string_view s);

// What quotedprintable.NewWriter(w).Write(body) then Close() writes (text mode): lines of at most
// 76 bytes with `=` soft breaks, every line break (CRLF, LF or CR) as CRLF, `=`, control and
// non-ASCII bytes as `=XX`, and a space or tab before a line break or at the end as `=20`/`=09`.
std::string QuotedPrintable(std::string_view body);

// The bytes a textproto.DotWriter sends for `data` written in full and then closed: a `.` at the
// start of a line doubled, a bare LF sent as CRLF, and the block ended with CRLF (when the data
// does not end a line already) and ".\r\n". Exactly what goes on the wire after DATA.
std::string DotStuff(std::string_view data);

// Go's utf8.DecodeRuneInString length: the byte length of the valid UTF-8 sequence at the start
// of `s`, or 1 for an invalid byte (and 0 for an empty string).
size_t Utf8SequenceLength(std::string_view s);

}  // namespace am::notify
