#include "dubhost/host/plugin_settings.hpp"

#include <dubhost/support/atomic_file.hpp>
#include <dubhost/support/error.hpp>
#include <nlohmann/json.hpp>

#include <fstream>

namespace dubhost {

std::set<std::string> load_disabled_plugins(const std::filesystem::path &settings) {
    std::ifstream in(settings);
    if (!in) return {};
    const auto document = nlohmann::json::parse(in, nullptr, false);
    if (!document.is_object() || !document.value("disabled", nlohmann::json::array()).is_array())
        throw user_error("bad-plugin-settings", settings.string() + " is not a JSON object with a \"disabled\" list",
                         "fix or delete the file (it only lists disabled plugins)");
    std::set<std::string> disabled;
    for (const auto &id : document.value("disabled", nlohmann::json::array()))
        if (id.is_string()) disabled.insert(id.get<std::string>());
    return disabled;
}

void save_disabled_plugins(const std::filesystem::path &settings, const std::set<std::string> &disabled) {
    std::filesystem::create_directories(settings.parent_path());
    write_file_atomically(settings, nlohmann::json{{"disabled", disabled}}.dump(2) + "\n");
}

}  // namespace dubhost
