#include "dubhost/host/record_json.hpp"

namespace dubhost {

nlohmann::json item_json(const Item &item) {
    return {{"id", item.id},
            {"original_name", item.original_name},
            {"original_path", item.original_path},
            {"stored_path", item.stored_path},
            {"linked", item.linked},
            {"size_bytes", item.size_bytes},
            {"sha256", item.sha256},
            {"container", item.container},
            {"media_kind", item.media_kind},
            {"probe", nlohmann::json::parse(item.probe_json, nullptr, false)},
            {"imported_at", item.imported_at}};
}

nlohmann::json job_json(const JobRecord &job) {
    auto parse = [](const std::string &text) {
        return text.empty() ? nlohmann::json(nullptr) : nlohmann::json::parse(text, nullptr, false);
    };
    nlohmann::json inputs = nlohmann::json::array(), outputs = nlohmann::json::array();
    for (const auto &artifact : job.artifacts)
        (artifact.role == "input" ? inputs : outputs)
            .push_back({{"name", artifact.name},
                        {"path", artifact.path},
                        {"sha256", artifact.sha256},
                        {"size_bytes", artifact.size_bytes}});
    return {{"id", job.id},
            {"item_id", job.item_id},
            {"stage", job.stage},
            {"status", job.status},
            {"backend", job.backend},
            {"plugin", job.backend_plugin},
            {"backend_version", job.backend_version},
            {"params", parse(job.params_json)},
            {"created_at", job.created_at},
            {"started_at", job.started_at},
            {"finished_at", job.finished_at},
            {"inputs", inputs},
            {"outputs", outputs},
            {"log", job.log_path},
            {"error", parse(job.error_json)},
            {"result", parse(job.result_json)}};
}

nlohmann::json dub_result_json(const DubResult &result) {
    nlohmann::json stages = nlohmann::json::array();
    for (const auto &stage : result.stages)
        stages.push_back({{"stage", stage.stage},
                          {"backend", stage.backend},
                          {"skipped", stage.skipped},
                          {"seconds", stage.seconds},
                          {"note", stage.note},
                          {"outputs", stage.outputs}});
    return {{"item_id", result.item_id},
            {"stages", stages},
            {"output", result.output.string()},
            {"subtitle_repairs", result.subtitle_repairs}};
}

nlohmann::json plugins_json(const PluginRegistry &registry) {
    nlohmann::json plugins = nlohmann::json::array();
    for (const auto &plugin : registry.plugins()) {
        nlohmann::json entry = plugin->manifest;
        entry["path"] = plugin->report.candidate.library.string();
        entry["origin"] = plugin->report.candidate.origin;
        plugins.push_back(std::move(entry));
    }
    nlohmann::json rejected_backends = nlohmann::json::array();
    for (const auto &backend : registry.rejected_backends())
        rejected_backends.push_back({{"plugin", backend.plugin->manifest.id},
                                     {"capability", backend.info->capability},
                                     {"id", backend.info->id},
                                     {"reason", backend.reason}});
    return {{"plugins", plugins}, {"rejected", registry.rejected()}, {"rejected_backends", rejected_backends}};
}

}  // namespace dubhost
