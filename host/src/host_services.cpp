// The services table's C entry points (each finds its HostServices through host_data) and the
// call scope that lends them sinks.
#include "dubhost/host/host_services.hpp"

#include <spdlog/spdlog.h>

namespace dubhost {

HostServices::HostServices(std::map<std::string, std::string> paths, std::string log_source)
    : paths_(std::move(paths)), log_source_(std::move(log_source)) {
    table_.struct_size = sizeof(table_);
    table_.host_abi = dubhost_abi_version{DUBHOST_ABI_MAJOR, DUBHOST_ABI_MINOR};
    table_.host_data = this;
    table_.log = &HostServices::log;
    table_.progress = &HostServices::progress;
    table_.is_cancelled = &HostServices::is_cancelled;
    table_.get_path = &HostServices::get_path;
    table_.get_extension = &HostServices::get_extension;
}

HostServices &HostServices::self(const dubhost_host_services *table) { return *static_cast<HostServices *>(table->host_data); }

void HostServices::log(const dubhost_host_services *table, int32_t level, const char *message) {
    if (table == nullptr || message == nullptr) return;
    const auto &source = self(table).log_source_;
    if (self(table).log_sink_) self(table).log_sink_(level, message);
    switch (level) {
    case DUBHOST_LOG_DEBUG:
        spdlog::debug("[{}] {}", source, message);
        break;
    case DUBHOST_LOG_INFO:
        spdlog::info("[{}] {}", source, message);
        break;
    case DUBHOST_LOG_WARNING:
        spdlog::warn("[{}] {}", source, message);
        break;
    default:
        spdlog::error("[{}] {}", source, message);
        break;
    }
}

void HostServices::progress(const dubhost_host_services *table, double fraction, const char *message) {
    if (table == nullptr) return;
    const auto &sink = self(table).progress_sink_;
    if (sink) sink(fraction, message ? message : "");
}

int32_t HostServices::is_cancelled(const dubhost_host_services *table) {
    return table != nullptr && self(table).cancelled_.load() ? 1 : 0;
}

const char *HostServices::get_path(const dubhost_host_services *table, const char *name) {
    if (table == nullptr || name == nullptr) return nullptr;
    const auto &paths = self(table).paths_;
    const auto found = paths.find(name);
    return found == paths.end() ? nullptr : found->second.c_str();
}

const void *HostServices::get_extension(const dubhost_host_services *, const char *) { return nullptr; }

bool host_offers_extension(const char *) { return false; }

CallScope::CallScope(HostServices &services, CallSinks sinks)
    : services_(services),
      saved_log_(services.log_sink_),
      saved_progress_(services.progress_sink_),
      saved_source_(services.log_source_) {
    if (sinks.log) services_.log_sink_ = std::move(sinks.log);
    if (sinks.progress) services_.progress_sink_ = std::move(sinks.progress);
    if (!sinks.log_source.empty()) services_.log_source_ = std::move(sinks.log_source);
    ++services_.open_scopes_;
}

CallScope::~CallScope() {
    services_.log_sink_ = std::move(saved_log_);
    services_.progress_sink_ = std::move(saved_progress_);
    services_.log_source_ = std::move(saved_source_);
    if (--services_.open_scopes_ == 0) services_.cancelled_.store(false);
}

}  // namespace dubhost
