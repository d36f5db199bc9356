// Fuzzes the reading of plugin.json, which the host does for every file on the plugin search path:
// an input is a manifest or std::invalid_argument with the reason the plugin is rejected.
#include "dubhost/host/plugin_manifest.hpp"
#include "fuzz_input.hpp"

#include <nlohmann/json.hpp>

#include <stdexcept>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    try {
        const dubhost::PluginManifest manifest = dubhost::parse_plugin_manifest(dubhost::fuzz::as_text(data, size));
        nlohmann::json written;
        dubhost::to_json(written, manifest);
        (void)dubhost::manifest_differences(manifest, manifest);
    } catch (const std::invalid_argument &) {
    }
    return 0;
}
