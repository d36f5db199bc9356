// The code of every in-tree pack plugin: status and install come from the pack runtime (pack.json
// beside the library), and each job goes to the pack's runner.py (beside it too). What a pack does
// lives in its runner; the backend id is the one thing that differs, set by packs/CMakeLists.txt.
#include <dubhost/packs/pack_backend.hpp>

#include "dubhost_manifest.h"

DUBHOST_PLUGIN(
    dubhost::sdk::PluginDefinition(DUBHOST_MANIFEST_JSON).backend<dubhost::packs::PackRunnerBackend>(DUBHOST_PACK_BACKEND_ID))
