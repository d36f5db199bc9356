// The receipt of a pack install and the switch that puts an install in place, shared by the
// installer and pack_status. Private to the pack runtime.
#pragma once

#include "dubhost/packs/pack_installer.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace dubhost::packs {

// The receipt at `path`, or nullopt when there is none or it is not a JSON object.
std::optional<nlohmann::json> read_receipt(const std::filesystem::path &path);
// Whether the receipt's list `list` ("models", "extras") includes every name asked for.
bool receipt_has(const nlohmann::json &receipt, const char *list, const std::vector<std::string> &names);
// Writes the receipt into the new environment and beside it, and points `current` at the
// environment with one rename (an atomic symlink swap); the environment it replaces is removed.
void switch_in(const PackLayout &layout, const std::filesystem::path &environment, const nlohmann::json &receipt);

}  // namespace dubhost::packs
