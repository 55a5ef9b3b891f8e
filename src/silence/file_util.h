// Small POSIX file helpers for durable writes: read a whole file, replace a file atomically
// (temporary file, fsync, rename, directory fsync), fsync a directory. Errors are thrown as
// std::system_error naming the path. Stateless; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace am::silence {

// The file's bytes, or nullopt if it does not exist.
std::optional<std::string> ReadFileIfExists(const std::string& path);

// Writes `data` to `<path>.<random hex>` (upstream's temporary name), fsyncs it, renames it over
// `path` and fsyncs the directory, so that after a crash `path` holds either the old or the new
// bytes, and after return the new bytes survive a power loss. On failure the temporary file is
// removed and `path` is unchanged.
void WriteFileAtomic(const std::string& path, std::string_view data);

// fsync of a directory, making entries created, renamed or removed in it durable.
void FsyncDir(const std::string& dir);

// "a/b/c" → "a/b"; "c" → ".".
std::string DirName(const std::string& path);

// Writes all of `data` at the end of the file (retrying short writes and EINTR); throws
// std::system_error naming `what`.
void WriteAll(int fd, std::string_view data, const std::string& what);

}  // namespace am::silence
