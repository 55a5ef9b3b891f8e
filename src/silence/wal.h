// Wal: the write-ahead log that makes an acknowledged silence change survive SIGKILL and power
// loss between two snapshots (upstream keeps changes only in memory until the next maintenance
// snapshot; issue #2683).
//
// Layout: segment files `<dir>/silences.wal.<8-digit sequence>`. A segment starts with the 8-byte
// magic "AMSILWAL" and a 4-byte little-endian format version (1), then records:
//   u32 LE payload length (> 0) | u32 LE CRC-32 of the payload | payload
// where the payload is one or more varint-delimited MeshSilence (the changes of one call, so they
// replay together or not at all). A segment file is created with its header, fdatasync'ed, and
// the directory fsync'ed before any record goes into it.
//
// Durability: Append() writes a record (write(2) only); Sync() returns once an fdatasync that
// started after the record was written has succeeded (group commit: concurrent callers share one
// fdatasync). A caller acknowledges a change only after Sync() returned.
// Recovery: segments are read in sequence order; within a segment, reading stops at the first
// record that is short, has length 0 or a wrong CRC. Everything from there on was never
// acknowledged (an acknowledged record was fdatasync'ed together with everything before it), so
// it is dropped with a warning.
// Failure: after a failed write or fdatasync the segment is abandoned (page-cache state after an
// fsync error is unreliable); the next Append() starts a new segment.
//
// Thread-safety: Append(), Install() and Rotate() must be serialised by the caller (the store calls
// them under its exclusive lock); Sync() may be called concurrently from any thread, without that
// lock. ReadAll() and DropBefore() are for start-up and maintenance.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace am::silence {

class Wal {
 public:
  struct Segment;
  // Identifies what a Sync() must cover.
  struct Ticket {
    std::shared_ptr<Segment> segment;
    uint64_t end = 0;
  };

  // Nothing is opened or created until ReadAll() / Rotate().
  explicit Wal(std::string dir);
  ~Wal();
  Wal(const Wal&) = delete;
  Wal& operator=(const Wal&) = delete;

  // The payloads of every intact record of every existing segment, in order, concatenated (a
  // stream of delimited MeshSilence). `warnings` receives one line per dropped tail. Throws
  // std::system_error on a read error and am::ParseError for a file that is not a segment.
  std::string ReadAll(std::vector<std::string>* warnings);

  // Creates the next segment file (header written and fdatasync'ed, directory fsync'ed) without
  // making it current. Thread-safe; may run concurrently with Append(). Throws
  // std::system_error.
  std::shared_ptr<Segment> CreateSegment();
  // Makes `seg` the segment Append() writes to; returns its sequence number. Serialised with
  // Append() by the caller. Appends to earlier segments stay valid for Sync().
  uint64_t Install(std::shared_ptr<Segment> seg);
  // CreateSegment() + Install().
  uint64_t Rotate() { return Install(CreateSegment()); }

  // Deletes every segment older than `seq`.
  void DropBefore(uint64_t seq);

  // Appends one record. Starts a new segment first if there is none or the current one failed.
  // Throws std::system_error (the record is then not in the log).
  Ticket Append(std::string_view payload);

  // Returns once the ticket's record is durable. Throws std::system_error if the fdatasync
  // covering it failed.
  void Sync(const Ticket& t);

  // Sequence number of the segment Append() writes to (0 before the first Rotate()).
  uint64_t current_seq() const;

  // Fault injection for tests: the next `n` fdatasync calls fail with EIO.
  void FailNextSyncsForTest(int n) { fail_syncs_for_test_ = n; }

  static constexpr std::string_view kMagic = "AMSILWAL";
  static constexpr uint32_t kVersion = 1;
  static constexpr size_t kHeaderSize = 12;

 private:
  std::string SegmentPath(uint64_t seq) const;
  std::vector<uint64_t> ListSegments() const;

  const std::string dir_;
  std::shared_ptr<Segment> current_;
  std::mutex seq_mu_;
  uint64_t next_seq_ = 1;  // guarded by seq_mu_
  std::atomic<int> fail_syncs_for_test_{0};
};

}  // namespace am::silence
