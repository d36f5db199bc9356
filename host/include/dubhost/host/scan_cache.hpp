// The verdicts of isolated plugin scans, kept in <cache>/registry.json so a library is scanned in a
// child process once per version of the file: an entry holds while the library's (and its
// plugin.json's) size and modification time, and this host's version, are unchanged. A crashed or
// hung library is therefore not tried again until it changes.
#pragma once

#include "dubhost/host/plugin_scan.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <optional>

namespace dubhost {

class ScanCache {
public:
    // An unreadable or foreign file is an empty cache (it is rewritten on save).
    explicit ScanCache(std::filesystem::path file);

    std::optional<ScanReport> lookup(const PluginCandidate &candidate) const;
    void store(const PluginCandidate &candidate, const ScanReport &report);
    // Writes the file atomically when something was stored; a cache that cannot be written only
    // costs a rescan next time, so failures are logged, not thrown.
    void save() const;

private:
    std::filesystem::path file_;
    nlohmann::json entries_ = nlohmann::json::object();
    bool changed_ = false;
};

}  // namespace dubhost
