// The process-wide record of started plugins, and the static object whose destruction at exit
// calls their shutdown entries (plugin libraries are never unloaded, so the code is still there).
#include "plugin_lifetime.hpp"

#include <map>
#include <mutex>
#include <vector>

namespace dubhost {
namespace {

class StartedPlugins {
public:
    StartedPlugins() = default;
    StartedPlugins(const StartedPlugins &) = delete;
    StartedPlugins &operator=(const StartedPlugins &) = delete;
    ~StartedPlugins() {
        for (auto it = started_.rbegin(); it != started_.rend(); ++it)
            if ((*it)->shutdown != nullptr) (*it)->shutdown();
    }

    InitAnswer start(const dubhost_plugin_descriptor &descriptor, const HostServices &services) {
        const std::lock_guard lock(mutex_);
        if (const auto found = answers_.find(&descriptor); found != answers_.end()) return found->second;
        InitAnswer answer;
        if (descriptor.init != nullptr) {
            dubhost_response response{};
            response.struct_size = sizeof(response);
            answer.status = descriptor.init(services.table(), &response);
            answer.document = response.json ? response.json : "";
            if (response.release) response.release(&response);
        }
        answers_.emplace(&descriptor, answer);
        if (answer.status == DUBHOST_STATUS_OK) started_.push_back(&descriptor);
        return answer;
    }

private:
    std::mutex mutex_;
    std::map<const dubhost_plugin_descriptor *, InitAnswer> answers_;
    std::vector<const dubhost_plugin_descriptor *> started_;
};

}  // namespace

InitAnswer start_plugin_once(const dubhost_plugin_descriptor &descriptor, const HostServices &services) {
    static StartedPlugins started;
    return started.start(descriptor, services);
}

}  // namespace dubhost
