// Atomic writes (atomic_file.hpp): a temporary file beside the target, fsync'd, renamed over it;
// a full disk becomes a user error with the command that shows free space.
#include <dubhost/support/atomic_file.hpp>

#include <dubhost/support/error.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

namespace dubhost {
namespace fs = std::filesystem;
namespace {

// A full disk gets its own code and hint; `error_number` is the errno of the failed call.
Failure write_failure(const fs::path &path, int error_number) {
    const std::string reason = std::strerror(error_number);
    if (error_number == ENOSPC || error_number == EDQUOT)
        return user_error("disk-full", "cannot write " + path.string() + ": " + reason,
                          "free some space on the disk holding it (`df -h " + path.parent_path().string() +
                              "` shows how much is left), then run the command again");
    return user_error("write-failed", "cannot write " + path.string() + ": " + reason,
                      "check free disk space and that the folder is writable");
}

// fsync through a plain descriptor; std::filesystem offers no durability call.
void sync_path(const fs::path &path, int flags) {
    const int fd = ::open(path.c_str(), flags | O_CLOEXEC);
    if (fd < 0) return;
    ::fsync(fd);
    ::close(fd);
}

std::string unique_suffix() {
    static std::atomic<unsigned> counter{0};
    return ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
}

class FileDescriptor {
public:
    explicit FileDescriptor(int fd) : fd_(fd) {}
    FileDescriptor(const FileDescriptor &) = delete;
    FileDescriptor &operator=(const FileDescriptor &) = delete;
    ~FileDescriptor() {
        if (fd_ >= 0) ::close(fd_);
    }
    int get() const { return fd_; }
    int release_and_close() {
        const int result = ::close(fd_);
        fd_ = -1;
        return result;
    }

private:
    int fd_;
};

void write_all(int fd, const char *data, std::size_t size, const fs::path &path) {
    while (size > 0) {
        const ssize_t written = ::write(fd, data, size);
        if (written < 0) {
            if (errno == EINTR) continue;
            throw write_failure(path, errno);
        }
        data += written;
        size -= static_cast<std::size_t>(written);
    }
}

}  // namespace

PendingFile::PendingFile(fs::path target) : target_(std::move(target)) {
    temp_ = target_;
    temp_ += unique_suffix();
}

PendingFile::~PendingFile() {
    if (!committed_) {
        std::error_code ignored;
        fs::remove(temp_, ignored);
    }
}

void PendingFile::commit() {
    sync_path(temp_, O_RDONLY);
    std::error_code error;
    fs::rename(temp_, target_, error);
    if (error) throw write_failure(target_, error.value());
    committed_ = true;
    sync_path(target_.parent_path().empty() ? fs::path(".") : target_.parent_path(), O_RDONLY | O_DIRECTORY);
}

void write_file_atomically(const fs::path &target, std::string_view content) {
    PendingFile pending(target);
    FileDescriptor fd(::open(pending.temp_path().c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    if (fd.get() < 0) throw write_failure(target, errno);
    write_all(fd.get(), content.data(), content.size(), target);
    if (fd.release_and_close() != 0) throw write_failure(target, errno);
    pending.commit();
}

void copy_file_atomically(const fs::path &source, const fs::path &target) {
    FileDescriptor in(::open(source.c_str(), O_RDONLY | O_CLOEXEC));
    if (in.get() < 0) throw user_error("unreadable-file", "cannot read " + source.string() + ": " + std::strerror(errno));
    PendingFile pending(target);
    FileDescriptor out(::open(pending.temp_path().c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    if (out.get() < 0) throw write_failure(target, errno);
    std::vector<char> chunk(1 << 20);
    for (;;) {
        const ssize_t got = ::read(in.get(), chunk.data(), chunk.size());
        if (got < 0) {
            if (errno == EINTR) continue;
            throw user_error("unreadable-file", "reading " + source.string() + " failed: " + std::strerror(errno));
        }
        if (got == 0) break;
        write_all(out.get(), chunk.data(), static_cast<std::size_t>(got), target);
    }
    if (out.release_and_close() != 0) throw write_failure(target, errno);
    pending.commit();
}

}  // namespace dubhost
