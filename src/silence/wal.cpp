#include "silence/wal.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <boost/crc.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <system_error>

#include "core/error.h"
#include "silence/file_util.h"

namespace am::silence {

struct Wal::Segment {
  uint64_t seq = 0;
  std::string path;
  int fd = -1;
  std::atomic<uint64_t> written{0};  // bytes appended so far (file size)
  std::atomic<bool> failed{false};
  std::mutex sync_mu;
  uint64_t synced = 0;  // guarded by sync_mu

  ~Segment() {
    if (fd >= 0) ::close(fd);
  }
};

namespace {

constexpr std::string_view kPrefix = "silences.wal.";

[[noreturn]] void Throw(const std::string& what) {
  throw std::system_error(errno, std::generic_category(), what);
}

uint32_t Crc32(std::string_view data) {
  boost::crc_32_type crc;
  crc.process_bytes(data.data(), data.size());
  return crc.checksum();
}

void PutU32(uint32_t v, std::string* out) {
  for (int i = 0; i < 4; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

uint32_t GetU32(std::string_view s, size_t at) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i)
    v |= static_cast<uint32_t>(static_cast<unsigned char>(s[at + i])) << (8 * i);
  return v;
}

}  // namespace

Wal::Wal(std::string dir) : dir_(std::move(dir)) {}
Wal::~Wal() = default;

std::string Wal::SegmentPath(uint64_t seq) const {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%08llu", static_cast<unsigned long long>(seq));
  return dir_ + "/" + std::string(kPrefix) + buf;
}

std::vector<uint64_t> Wal::ListSegments() const {
  std::vector<uint64_t> seqs;
  DIR* d = ::opendir(dir_.c_str());
  if (!d) {
    if (errno == ENOENT) return seqs;
    Throw("open directory " + dir_);
  }
  while (dirent* ent = ::readdir(d)) {
    std::string_view name = ent->d_name;
    if (name.substr(0, kPrefix.size()) != kPrefix) continue;
    std::string_view digits = name.substr(kPrefix.size());
    if (digits.empty() || digits.size() > 18 ||
        !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      continue;  // e.g. a leftover temporary file
    }
    seqs.push_back(std::stoull(std::string(digits)));
  }
  ::closedir(d);
  std::sort(seqs.begin(), seqs.end());
  return seqs;
}

std::string Wal::ReadAll(std::vector<std::string>* warnings) {
  std::string out;
  for (uint64_t seq : ListSegments()) {
    {
      std::lock_guard lock(seq_mu_);
      next_seq_ = std::max(next_seq_, seq + 1);
    }
    const std::string path = SegmentPath(seq);
    auto data = ReadFileIfExists(path);
    if (!data) continue;
    std::string_view s = *data;
    if (s.size() < kHeaderSize) {
      // Creation was cut short: the header is written before any record, so nothing is lost.
      if (!s.empty() && s != kMagic.substr(0, s.size())) {
        throw ParseError("silence WAL segment " + path + " does not start with " +
                         std::string(kMagic));
      }
      continue;
    }
    if (s.substr(0, kMagic.size()) != kMagic) {
      throw ParseError("silence WAL segment " + path + " does not start with " +
                       std::string(kMagic));
    }
    if (uint32_t v = GetU32(s, kMagic.size()); v != kVersion) {
      throw ParseError("silence WAL segment " + path + " has unknown format version " +
                       std::to_string(v));
    }
    size_t at = kHeaderSize;
    while (at < s.size()) {
      std::string why;
      if (s.size() - at < 8) {
        why = "truncated record header";
      } else {
        uint32_t len = GetU32(s, at);
        uint32_t crc = GetU32(s, at + 4);
        if (len == 0) {
          why = "zero-length record";
        } else if (len > s.size() - at - 8) {
          why = "truncated record";
        } else if (Crc32(s.substr(at + 8, len)) != crc) {
          why = "checksum mismatch";
        } else {
          out.append(s.substr(at + 8, len));
          at += 8 + len;
          continue;
        }
      }
      warnings->push_back("silence WAL segment " + path + ": " + why + " at byte offset " +
                          std::to_string(at) + "; dropping the last " +
                          std::to_string(s.size() - at) +
                          " bytes (writes that were never acknowledged)");
      break;
    }
  }
  return out;
}

std::shared_ptr<Wal::Segment> Wal::CreateSegment() {
  auto seg = std::make_shared<Segment>();
  {
    std::lock_guard lock(seq_mu_);
    seg->seq = next_seq_++;
  }
  seg->path = SegmentPath(seg->seq);
  seg->fd = ::open(seg->path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
  if (seg->fd < 0) Throw("create " + seg->path);
  std::string header(kMagic);
  PutU32(kVersion, &header);
  try {
    WriteAll(seg->fd, header, seg->path);
    if (::fdatasync(seg->fd) != 0) Throw("fdatasync " + seg->path);
    FsyncDir(dir_);
  } catch (...) {
    ::unlink(seg->path.c_str());
    throw;
  }
  seg->written = header.size();
  seg->synced = header.size();
  return seg;
}

uint64_t Wal::Install(std::shared_ptr<Segment> seg) {
  current_ = std::move(seg);
  return current_->seq;
}

void Wal::DropBefore(uint64_t seq) {
  for (uint64_t s : ListSegments()) {
    if (s >= seq) break;
    ::unlink(SegmentPath(s).c_str());
  }
}

uint64_t Wal::current_seq() const { return current_ ? current_->seq : 0; }

Wal::Ticket Wal::Append(std::string_view payload) {
  if (!current_ || current_->failed) Rotate();
  Segment& seg = *current_;
  std::string rec;
  rec.reserve(payload.size() + 8);
  PutU32(static_cast<uint32_t>(payload.size()), &rec);
  PutU32(Crc32(payload), &rec);
  rec.append(payload);
  try {
    WriteAll(seg.fd, rec, seg.path);
  } catch (...) {
    // Part of the record may be in the file; nothing may follow it there.
    seg.failed = true;
    throw;
  }
  seg.written += rec.size();
  return Ticket{current_, seg.written.load()};
}

void Wal::Sync(const Ticket& t) {
  Segment& seg = *t.segment;
  std::lock_guard lock(seg.sync_mu);
  if (seg.synced >= t.end) return;
  if (seg.failed) {
    errno = EIO;
    Throw("fdatasync " + seg.path + " (an earlier write or sync failed)");
  }
  uint64_t upto = seg.written.load();
  int rc;
  if (fail_syncs_for_test_.load() > 0) {
    --fail_syncs_for_test_;
    errno = EIO;
    rc = -1;
  } else {
    rc = ::fdatasync(seg.fd);
  }
  if (rc != 0) {
    seg.failed = true;
    Throw("fdatasync " + seg.path);
  }
  seg.synced = upto;
}

}  // namespace am::silence
