// Fuzzes the reading of pack.json (a pack's Python range, requirements, models, system needs): a
// document is a manifest or a CallError naming what is wrong with it.
#include "dubhost/packs/pack_manifest.hpp"
#include "fuzz_input.hpp"

#include <dubhost/plugin.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    const auto document = nlohmann::json::parse(dubhost::fuzz::as_text(data, size), nullptr, false);
    if (document.is_discarded()) return 0;  // read_pack_manifest refuses what is not JSON before this
    try {
        (void)dubhost::packs::parse_pack_manifest(document, "fuzz/pack.json");
    } catch (const dubhost::sdk::CallError &) {
    }
    return 0;
}
