// `dubhost qc ITEM`: what a person should check before publishing a dub: speech that overruns its
// window after timing fit, overlaps, empty or untranslated segments, reading speed above 17
// characters per second, speakers without a chosen voice, clipping or loudness off target.
// Used by the CLI and the Python module.
#pragma once

#include "dubhost/host/workspace.hpp"

#include <nlohmann/json.hpp>

namespace dubhost {

// Builds the report from the workspace (tracks, the newest tts and mix jobs' manifests) and
// writes it atomically to derived/items/<id>/qc/report.json. Returns the document.
nlohmann::json build_qc_report(const Workspace &workspace, const Item &item);

}  // namespace dubhost
