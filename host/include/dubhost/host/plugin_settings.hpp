// Which plugins are turned off on this machine (`dubhost plugins disable|enable ID`), kept in
// plugin_settings_path() as {"disabled": ["id", ...]}.
#pragma once

#include <filesystem>
#include <set>
#include <string>

namespace dubhost {

// An absent file disables nothing; an unreadable one is a Failure(user) naming it.
std::set<std::string> load_disabled_plugins(const std::filesystem::path &settings);
void save_disabled_plugins(const std::filesystem::path &settings, const std::set<std::string> &disabled);

}  // namespace dubhost
