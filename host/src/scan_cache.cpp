#include "dubhost/host/scan_cache.hpp"

#include "dubhost/host/paths.hpp"
#include "dubhost/host/version.hpp"

#include <dubhost/support/atomic_file.hpp>
#include <spdlog/spdlog.h>

#include <fstream>

namespace dubhost {
namespace fs = std::filesystem;
namespace {

constexpr int cache_format = 1;

// What makes a verdict stale: either file changing, or another host build judging it.
nlohmann::json file_key(const fs::path &path) {
    std::error_code error;
    const auto size = fs::file_size(path, error);
    if (error) return nullptr;
    const auto modified = fs::last_write_time(path, error);
    if (error) return nullptr;
    return {{"size", size}, {"mtime_ns", modified.time_since_epoch().count()}};
}

nlohmann::json candidate_key(const PluginCandidate &candidate) {
    return {{"library", file_key(candidate.library)},
            {"manifest", candidate.manifest_path.empty() ? nlohmann::json(nullptr) : file_key(candidate.manifest_path)},
            {"host", dubhost_version()},
            {"host_binary", file_key(executable_path())}};  // a rebuilt host judges again
}

}  // namespace

ScanCache::ScanCache(fs::path file) : file_(std::move(file)) {
    std::ifstream in(file_);
    if (!in) return;
    const auto document = nlohmann::json::parse(in, nullptr, false);
    if (document.is_object() && document.value("format", 0) == cache_format && document.contains("entries") &&
        document["entries"].is_object())
        entries_ = document["entries"];
}

std::optional<ScanReport> ScanCache::lookup(const PluginCandidate &candidate) const {
    const auto found = entries_.find(candidate.library.string());
    if (found == entries_.end() || !found->is_object() || found->value("key", nlohmann::json()) != candidate_key(candidate))
        return std::nullopt;
    auto report = scan_report_from_json(found->value("report", nlohmann::json()));
    if (report) report->candidate = candidate;  // the origin may differ (another --plugin-path)
    return report;
}

void ScanCache::store(const PluginCandidate &candidate, const ScanReport &report) {
    entries_[candidate.library.string()] = {{"key", candidate_key(candidate)}, {"report", report}};
    changed_ = true;
}

void ScanCache::save() const {
    if (!changed_) return;
    try {
        fs::create_directories(file_.parent_path());
        write_file_atomically(file_, nlohmann::json{{"format", cache_format}, {"entries", entries_}}.dump(2));
    } catch (const std::exception &error) {
        spdlog::warn("cannot save the plugin scan cache {}: {}", file_.string(), error.what());
    }
}

}  // namespace dubhost
