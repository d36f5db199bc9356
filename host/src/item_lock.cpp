#include "dubhost/host/item_lock.hpp"

#include <fcntl.h>
#include <dubhost/support/error.hpp>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace dubhost {
namespace {

std::string read_holder(int fd) {
    char text[32] = {};
    const ssize_t got = ::pread(fd, text, sizeof text - 1, 0);
    std::string pid(text, got > 0 ? static_cast<std::size_t>(got) : 0);
    while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' ')) pid.pop_back();
    return pid;
}

}  // namespace

ItemLock::ItemLock(const std::filesystem::path &item_folder, const std::string &item_id) {
    std::filesystem::create_directories(item_folder);
    const std::filesystem::path path = item_folder / ".lock";
    // O_CLOEXEC: job workers and pack runners must not keep the lock after this process ends.
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0)
        throw user_error("item-lock-failed", "cannot open " + path.string() + ": " + std::strerror(errno),
                         "check that the workspace is writable");
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
        const int error = errno;
        const std::string holder = read_holder(fd_);
        ::close(fd_);
        fd_ = -1;
        if (error != EWOULDBLOCK)
            throw user_error("item-lock-failed", "cannot lock " + path.string() + ": " + std::strerror(error),
                             "check that the workspace is on a local disk that supports file locks");
        throw user_error("item-busy",
                         "item " + item_id + " is busy: another dubhost process" +
                             (holder.empty() ? "" : " (pid " + holder + ")") + " is working on it",
                         "wait for it to finish (`dubhost jobs " + item_id +
                             "` shows what runs), then run this command again; other items can be worked on meanwhile");
    }
    const std::string pid = std::to_string(::getpid()) + "\n";
    if (::ftruncate(fd_, 0) == 0) (void)!::pwrite(fd_, pid.data(), pid.size(), 0);
}

ItemLock::~ItemLock() {
    if (fd_ >= 0) ::close(fd_);  // closing the last descriptor releases the flock
}

}  // namespace dubhost
