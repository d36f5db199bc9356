// Items, jobs and dub results as JSON documents: the shape `dubhost items/jobs/dub --json` prints and the Python
// module returns, defined once so the two never drift apart (docs/reference/cli.md).
#pragma once

#include "dubhost/host/dub.hpp"
#include "dubhost/host/plugin_registry.hpp"
#include "dubhost/host/workspace.hpp"

#include <nlohmann/json.hpp>

namespace dubhost {

// {id, original_name, original_path, stored_path, linked, size_bytes, sha256, container, media_kind, probe, imported_at}
nlohmann::json item_json(const Item &item);
// {id, item_id, stage, status, backend, plugin, backend_version, params, created_at, started_at,
//  finished_at, inputs, outputs, log, error, result}
nlohmann::json job_json(const JobRecord &job);
// {item_id, stages: [{stage, backend, skipped, seconds, note, outputs}], output}
nlohmann::json dub_result_json(const DubResult &result);
// {plugins: [manifest + {path, origin}], rejected: [scan reports]}
nlohmann::json plugins_json(const PluginRegistry &registry);

}  // namespace dubhost
