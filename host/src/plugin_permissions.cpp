#include "dubhost/host/plugin_permissions.hpp"

#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <vector>

namespace fs = std::filesystem;

namespace dubhost {
namespace {

std::string octal_mode(mode_t mode) {
    char text[8];
    std::snprintf(text, sizeof text, "%04o", static_cast<unsigned>(mode & 07777));
    return text;
}

// A user-private group (Debian's USERGROUPS_ENAB) holds only its owner, so its write bit is the
// owner's own.
bool is_private_group_of(gid_t group, uid_t owner) {
    const passwd *user = ::getpwuid(owner);
    const struct group *entry = ::getgrgid(group);
    return user && entry && user->pw_gid == group && std::string(entry->gr_name) == user->pw_name &&
           (entry->gr_mem == nullptr || entry->gr_mem[0] == nullptr);
}

std::optional<std::string> unsafe_path(const fs::path &path, bool sticky_allowed) {
    struct stat info {};
    if (::stat(path.c_str(), &info) != 0) return std::nullopt;  // missing files are reported by the scan
    const std::string where = path.string();
    if (info.st_uid != 0 && info.st_uid != ::geteuid())
        return where + " belongs to another user (uid " + std::to_string(info.st_uid) + "); run `chown " +
               std::to_string(::geteuid()) + " " + where + "` or remove it";
    const bool sticky_folder = S_ISDIR(info.st_mode) && (info.st_mode & S_ISVTX);
    if (sticky_folder && sticky_allowed) return std::nullopt;
    const bool others_write = (info.st_mode & S_IWOTH) != 0;
    const bool group_write = (info.st_mode & S_IWGRP) != 0 && !is_private_group_of(info.st_gid, info.st_uid);
    if (others_write || group_write)
        return where + " is writable by " + (others_write ? "every user" : "its group") + " (mode " + octal_mode(info.st_mode) +
               "), so another user could replace the plugin code; run `chmod go-w " + where + "`";
    return std::nullopt;
}

}  // namespace

std::optional<std::string> unsafe_plugin_permissions(const PluginCandidate &candidate) {
    std::vector<std::pair<fs::path, bool>> checks = {{candidate.library, false}};
    if (!candidate.manifest_path.empty()) checks.emplace_back(candidate.manifest_path, false);
    checks.emplace_back(candidate.library.parent_path(), false);
    if (!candidate.search_folder.empty() && candidate.search_folder != candidate.library.parent_path())
        checks.emplace_back(candidate.search_folder, false);
    for (const auto &[path, sticky_allowed] : checks)
        if (auto problem = unsafe_path(path, sticky_allowed)) return problem;
    return std::nullopt;
}

}  // namespace dubhost
