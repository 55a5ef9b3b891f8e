#include "cluster/memberlist/framing.h"

#include <boost/crc.hpp>

#include "cluster/memberlist/lzw.h"
#include "cluster/memberlist/messages.h"

namespace am::cluster::memberlist {

std::string MakeCompound(const std::vector<std::string>& msgs) {
  std::string out;
  size_t total = 2 + 2 * msgs.size();
  for (const auto& m : msgs) total += m.size();
  out.reserve(total);
  out.push_back(static_cast<char>(MessageType::kCompound));
  out.push_back(static_cast<char>(msgs.size()));
  for (const auto& m : msgs) {
    out.push_back(static_cast<char>((m.size() >> 8) & 0xff));
    out.push_back(static_cast<char>(m.size() & 0xff));
  }
  for (const auto& m : msgs) out.append(m);
  return out;
}

bool DecodeCompound(std::string_view body, std::vector<std::string_view>* parts, int* truncated,
                    std::string* err) {
  parts->clear();
  *truncated = 0;
  if (body.empty()) {
    if (err) *err = "missing compound length byte";
    return false;
  }
  size_t n = static_cast<uint8_t>(body[0]);
  body.remove_prefix(1);
  if (body.size() < 2 * n) {
    if (err) *err = "truncated len slice";
    return false;
  }
  std::vector<size_t> lengths(n);
  for (size_t i = 0; i < n; ++i) {
    lengths[i] = (static_cast<size_t>(static_cast<uint8_t>(body[2 * i])) << 8) |
                 static_cast<uint8_t>(body[2 * i + 1]);
  }
  body.remove_prefix(2 * n);
  for (size_t i = 0; i < n; ++i) {
    if (body.size() < lengths[i]) {
      *truncated = static_cast<int>(n - i);
      return true;
    }
    if (lengths[i] > 0) parts->push_back(body.substr(0, lengths[i]));
    body.remove_prefix(lengths[i]);
  }
  return true;
}

uint32_t Crc32(std::string_view data) {
  boost::crc_32_type crc;
  crc.process_bytes(data.data(), data.size());
  return crc.checksum();
}

std::string AddCrc(std::string_view msg) {
  uint32_t c = Crc32(msg);
  std::string out;
  out.reserve(5 + msg.size());
  out.push_back(static_cast<char>(MessageType::kHasCrc));
  for (int i = 3; i >= 0; --i) out.push_back(static_cast<char>((c >> (8 * i)) & 0xff));
  out.append(msg);
  return out;
}

std::string CompressMessage(std::string_view msg) {
  Compress c;
  c.algo = 0;
  c.buf = LzwCompress(msg);
  return EncodeMessage(MessageType::kCompress, c);
}

bool DecompressBody(std::string_view body, size_t max_in, size_t max_out, std::string* out,
                    std::string* err) {
  Compress c;
  if (!DecodeBody(body, &c, err, max_in)) return false;
  if (c.algo != 0) {
    if (err) *err = "Cannot decompress unknown algorithm " + std::to_string(c.algo);
    return false;
  }
  if (!LzwDecompress(c.buf, max_out, out, err)) return false;
  if (out->empty()) {
    // memberlist (all releases) panics on an empty decompressed stream; never pass one on.
    if (err) *err = "empty compressed payload";
    return false;
  }
  return true;
}

std::string LabelHeader(std::string_view label) {
  std::string out;
  out.push_back(static_cast<char>(MessageType::kHasLabel));
  out.push_back(static_cast<char>(label.size()));
  out.append(label);
  return out;
}

bool StripLabel(std::string_view* buf, std::string* label, std::string* err) {
  label->clear();
  if (buf->empty() ||
      static_cast<uint8_t>((*buf)[0]) != static_cast<uint8_t>(MessageType::kHasLabel)) {
    return true;
  }
  if (buf->size() < 2) {
    if (err) *err = "label header cannot be empty when present";
    return false;
  }
  size_t n = static_cast<uint8_t>((*buf)[1]);
  if (n == 0) {
    if (err) *err = "label header cannot be empty when present";
    return false;
  }
  if (buf->size() < 2 + n) {
    if (err) *err = "truncated label";
    return false;
  }
  *label = std::string(buf->substr(2, n));
  buf->remove_prefix(2 + n);
  return true;
}

}  // namespace am::cluster::memberlist
