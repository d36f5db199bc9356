#include "dubhost/host/plugin_scan.hpp"

#include "plugin_lifetime.hpp"

#include "parameter_schema.hpp"

#define BOOST_DLL_USE_STD_FS
#include <boost/dll/shared_library.hpp>
#include <dlfcn.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>

namespace dubhost {
namespace fs = std::filesystem;
namespace {

// Loaded libraries stay mapped until the process ends, static destruction included: RTLD_NODELETE
// on the already-loaded library (RTLD_NOLOAD) makes the destructor's dlclose a no-op. Unmapping a
// plugin at exit would pull its own dependencies out from under their atexit handlers and
// thread_locals, and leave their global caches (FFTW's planner, for one) unreachable, which
// LeakSanitizer then reports as leaks.
void keep_loaded(boost::dll::shared_library library) {
    static std::mutex mutex;
    static std::vector<boost::dll::shared_library> libraries;
    const std::lock_guard lock(mutex);
    dlopen(library.location().c_str(), RTLD_NOW | RTLD_NOLOAD | RTLD_NODELETE);
    libraries.push_back(std::move(library));
}

bool is_shared_library_name(const fs::path &path) {
    const std::string name = path.filename().string();
    return path.extension() == ".so" || name.find(".so.") != std::string::npos;
}

std::optional<std::string> read_text(const fs::path &path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// Collects the candidates of one folder: the library plugin.json names, then other libraries.
void add_folder_candidates(const fs::path &folder, const PluginSearchDir &dir, const fs::path &search_folder,
                           std::vector<PluginCandidate> &out) {
    std::error_code error;
    std::vector<fs::path> libraries;
    for (fs::directory_iterator it(folder, error), end; !error && it != end; it.increment(error))
        if (!it->is_directory(error) && is_shared_library_name(it->path())) libraries.push_back(it->path());
    std::sort(libraries.begin(), libraries.end());
    const fs::path manifest = folder / "plugin.json";
    fs::path named;
    if (fs::exists(manifest, error)) {
        std::string library_name;
        if (auto text = read_text(manifest)) {
            const auto document = nlohmann::json::parse(*text, nullptr, false);
            if (document.is_object() && document.contains("library") && document["library"].is_string())
                library_name = document["library"].get<std::string>();
        }
        // Unparseable manifests still become a candidate so the user sees why they were refused.
        named = library_name.empty() || library_name.find('/') != std::string::npos ? manifest : folder / library_name;
        out.push_back({named, manifest, dir.origin, search_folder});
    }
    for (const auto &library : libraries)
        if (library != named) out.push_back({library, {}, dir.origin, search_folder});
}

ScanReport reject(const PluginCandidate &candidate, ScanState state, std::string reason,
                  std::optional<PluginManifest> manifest = std::nullopt) {
    return ScanReport{candidate, state, std::move(reason), std::move(manifest)};
}

// Checks the first bytes so text files and empty files get a plain reason, not a loader message.
std::optional<std::string> not_a_library_reason(const fs::path &path) {
    std::error_code error;
    if (!fs::exists(path, error)) return "the file does not exist";
    if (!fs::is_regular_file(path, error)) return "not a regular file";
    if (fs::file_size(path, error) == 0) return "the file is empty (0 bytes)";
    std::ifstream in(path, std::ios::binary);
    std::array<char, 4> magic{};
    in.read(magic.data(), magic.size());
    if (in.gcount() < 4 || magic != std::array<char, 4>{'\x7f', 'E', 'L', 'F'})
        return "not an ELF shared library (wrong file header; is it a text file or a download error?)";
    return std::nullopt;
}

std::string safe_string(const char *text) { return text ? std::string(text) : std::string(); }

// The descriptor as a manifest, for the cross-check; fails on NULL or too-small structs.
std::optional<std::string> describe(const dubhost_plugin_descriptor &descriptor, PluginManifest &out,
                                    std::vector<const dubhost_backend *> &backends) {
    if (descriptor.struct_size < DUBHOST_DESCRIPTOR_V1_SIZE)
        return "the descriptor's struct_size (" + std::to_string(descriptor.struct_size) + ") is smaller than ABI 1.0's (" +
               std::to_string(DUBHOST_DESCRIPTOR_V1_SIZE) + "): the plugin is corrupt or was built against a broken SDK";
    if (!descriptor.id || !*descriptor.id || !descriptor.version) return "the descriptor has no id or version";
    if (descriptor.backend_count > 0 && descriptor.backends == nullptr) return "the descriptor lists backends but gives none";
    out.id = descriptor.id;
    out.name = safe_string(descriptor.name);
    out.version = descriptor.version;
    out.runtime = descriptor.runtime ? descriptor.runtime : "native";
    out.abi_major = descriptor.abi.major;
    out.abi_minor = descriptor.abi.minor;
    for (std::uint32_t i = 0; i < descriptor.backend_count; ++i) {
        const dubhost_backend *backend = descriptor.backends[i];
        const std::string where = "backend #" + std::to_string(i + 1);
        if (backend == nullptr) return where + " is NULL";
        if (backend->struct_size < DUBHOST_BACKEND_V1_SIZE)
            return where + " has struct_size " + std::to_string(backend->struct_size) + ", smaller than ABI 1.0's " +
                   std::to_string(DUBHOST_BACKEND_V1_SIZE);
        if (!backend->id || !*backend->id || !backend->capability || !*backend->capability)
            return where + " has no id or capability";
        if (!backend->status || !backend->run)
            return "backend '" + std::string(backend->id) + "' lacks a status or run entry point";
        BackendInfo info;
        info.id = backend->id;
        info.capability = backend->capability;
        info.capability_version = backend->capability_version;
        info.version = safe_string(backend->version);
        info.priority = backend->priority;
        info.parameters_json = backend->parameters_json ? backend->parameters_json : "[]";
        if (const auto problems = parameter_schema_problems(info.parameters_json); !problems.empty()) {
            std::string listed;
            for (const auto &problem : problems) listed += (listed.empty() ? "" : "; ") + problem;
            return "backend '" + info.id + "' declares bad parameters: " + listed;
        }
        info.consumes_json = backend->consumes_json ? backend->consumes_json : "[]";
        info.produces_json = backend->produces_json ? backend->produces_json : "[]";
        out.backends.push_back(std::move(info));
        backends.push_back(backend);
    }
    return std::nullopt;
}

std::optional<std::string> missing_extensions(const dubhost_plugin_descriptor &descriptor) {
    if (descriptor.abi.minor <= DUBHOST_ABI_MINOR || descriptor.required_host_extensions == nullptr) return std::nullopt;
    std::string missing;
    for (const char *const *id = descriptor.required_host_extensions; *id != nullptr; ++id)
        if (!host_offers_extension(*id)) missing += (missing.empty() ? "" : ", ") + std::string(*id);
    if (missing.empty()) return std::nullopt;
    return "built for ABI " + std::to_string(descriptor.abi.major) + "." + std::to_string(descriptor.abi.minor) +
           " and needs host extensions this dubhost lacks (" + missing + "): upgrade dubhost";
}

std::string join(const std::vector<std::string> &parts, const std::string &separator) {
    std::string out;
    for (const auto &part : parts) out += (out.empty() ? "" : separator) + part;
    return out;
}

}  // namespace

std::string_view scan_state_name(ScanState state) {
    switch (state) {
    case ScanState::ok:
        return "ok";
    case ScanState::not_a_library:
        return "not-a-library";
    case ScanState::missing_manifest:
        return "missing-manifest";
    case ScanState::bad_manifest:
        return "bad-manifest";
    case ScanState::load_failed:
        return "load-failed";
    case ScanState::missing_entry_symbol:
        return "missing-entry-symbol";
    case ScanState::incompatible:
        return "incompatible";
    case ScanState::bad_descriptor:
        return "bad-descriptor";
    case ScanState::manifest_mismatch:
        return "manifest-mismatch";
    case ScanState::duplicate_id:
        return "duplicate-id";
    case ScanState::init_failed:
        return "init-failed";
    case ScanState::crashed:
        return "crashed";
    case ScanState::hung:
        return "hung";
    case ScanState::disabled:
        return "disabled";
    case ScanState::unsafe_permissions:
        return "unsafe-permissions";
    }
    return "unknown";
}

std::optional<ScanState> scan_state_named(std::string_view name) {
    for (int value = static_cast<int>(ScanState::ok); value <= static_cast<int>(ScanState::unsafe_permissions); ++value)
        if (scan_state_name(static_cast<ScanState>(value)) == name) return static_cast<ScanState>(value);
    return std::nullopt;
}

std::optional<ScanReport> scan_report_from_json(const nlohmann::json &document) {
    if (!document.is_object() || !document.contains("path") || !document["path"].is_string() || !document.contains("state") ||
        !document["state"].is_string())
        return std::nullopt;
    const auto state = scan_state_named(document["state"].get<std::string>());
    if (!state) return std::nullopt;
    ScanReport report;
    report.candidate.library = document["path"].get<std::string>();
    if (document.contains("manifest") && document["manifest"].is_string())
        report.candidate.manifest_path = document["manifest"].get<std::string>();
    report.candidate.origin = document.value("origin", std::string());
    report.state = *state;
    report.reason = document.value("reason", std::string());
    return report;
}

void to_json(nlohmann::json &out, const ScanReport &report) {
    out = nlohmann::json{
        {"path", report.candidate.library.string()},
        {"manifest", report.candidate.manifest_path.empty() ? nlohmann::json(nullptr)
                                                            : nlohmann::json(report.candidate.manifest_path.string())},
        {"origin", report.candidate.origin},
        {"state", scan_state_name(report.state)},
        {"reason", report.reason}};
    if (report.manifest) out["plugin_id"] = report.manifest->id;
}

std::vector<PluginCandidate> find_plugin_candidates(const std::vector<PluginSearchDir> &search_path) {
    std::vector<PluginCandidate> candidates;
    std::set<fs::path> seen_folders;
    for (const auto &dir : search_path) {
        std::error_code error;
        const fs::path folder = fs::weakly_canonical(dir.path, error);
        if (error || !fs::is_directory(folder, error) || !seen_folders.insert(folder).second) {
            spdlog::debug("plugin search path: skipping {} ({})", dir.path.string(),
                          error ? error.message() : "not a folder or seen");
            continue;
        }
        add_folder_candidates(folder, dir, folder, candidates);
        std::vector<fs::path> subfolders;
        for (fs::directory_iterator it(folder, error), end; !error && it != end; it.increment(error))
            if (it->is_directory(error)) subfolders.push_back(it->path());
        std::sort(subfolders.begin(), subfolders.end());
        for (const auto &subfolder : subfolders) add_folder_candidates(subfolder, dir, folder, candidates);
    }
    return candidates;
}

LoadResult describe_plugin(const PluginCandidate &candidate, const std::vector<std::string> &taken_ids) {
    const std::string rebuild_hint =
        "; rebuild or reinstall the plugin, or remove it from " + candidate.library.parent_path().string();
    // 1. Describe before trust: the manifest and the file's header, without running any code.
    if (candidate.manifest_path.empty()) {
        if (auto problem = not_a_library_reason(candidate.library))
            return {reject(candidate, ScanState::not_a_library, *problem), nullptr};
        return {reject(candidate, ScanState::missing_manifest,
                       "no plugin.json beside it names this library; every plugin ships one (dubhost_add_plugin() writes it)"),
                nullptr};
    }
    PluginManifest manifest;
    try {
        const auto text = read_text(candidate.manifest_path);
        if (!text)
            return {reject(candidate, ScanState::bad_manifest, "cannot read " + candidate.manifest_path.string()), nullptr};
        manifest = parse_plugin_manifest(*text);
    } catch (const std::exception &error) {
        return {reject(candidate, ScanState::bad_manifest, error.what() + rebuild_hint), nullptr};
    }
    if (manifest.abi_major != DUBHOST_ABI_MAJOR)
        return {reject(candidate, ScanState::incompatible,
                       "built for plugin ABI " + std::to_string(manifest.abi_major) + "." + std::to_string(manifest.abi_minor) +
                           ", this dubhost speaks ABI " + std::to_string(DUBHOST_ABI_MAJOR) + ".x (plugin.json)" + rebuild_hint,
                       manifest),
                nullptr};
    if (std::find(taken_ids.begin(), taken_ids.end(), manifest.id) != taken_ids.end())
        return {
            reject(candidate, ScanState::duplicate_id,
                   "plugin id '" + manifest.id + "' is already loaded from earlier on the search path; remove one of the copies",
                   manifest),
            nullptr};
    if (auto problem = not_a_library_reason(candidate.library))
        return {reject(candidate, ScanState::not_a_library, candidate.library.filename().string() + ": " + *problem, manifest),
                nullptr};
    auto described = std::make_unique<LoadedPlugin>();
    described->report = ScanReport{candidate, ScanState::ok, "", manifest};
    described->manifest = std::move(manifest);
    return {described->report, std::move(described)};
}

LoadResult load_plugin(const PluginCandidate &candidate, const std::vector<std::string> &taken_ids,
                       const HostServices &services) {
    LoadResult described = describe_plugin(candidate, taken_ids);
    if (!described.plugin) return described;
    const PluginManifest manifest = described.plugin->manifest;
    const std::string rebuild_hint =
        "; rebuild or reinstall the plugin, or remove it from " + candidate.library.parent_path().string();

    // 2. Load with every symbol resolved now, so a broken library fails here and not mid-job.
    boost::dll::shared_library library;
    try {
        library =
            boost::dll::shared_library(candidate.library, boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local);
    } catch (const std::exception &error) {
        return {reject(candidate, ScanState::load_failed, std::string("the loader refused it: ") + error.what(), manifest),
                nullptr};
    }
    if (!library.has(DUBHOST_PLUGIN_ENTRY_SYMBOL))
        return {reject(candidate, ScanState::missing_entry_symbol,
                       "exports no '" DUBHOST_PLUGIN_ENTRY_SYMBOL
                       "' symbol: not a dubhost plugin, or built without DUBHOST_PLUGIN(...)",
                       manifest),
                nullptr};
    const auto entry = library.get<const dubhost_plugin_descriptor *()>(DUBHOST_PLUGIN_ENTRY_SYMBOL);
    const dubhost_plugin_descriptor *descriptor = entry();
    keep_loaded(library);

    // 3. ABI major before anything else in the descriptor.
    if (descriptor == nullptr)
        return {reject(candidate, ScanState::bad_descriptor,
                       "dubhost_plugin_entry returned NULL: the plugin could not describe itself", manifest),
                nullptr};
    if (descriptor->abi.major != DUBHOST_ABI_MAJOR)
        return {reject(candidate, ScanState::incompatible,
                       "the library was built for plugin ABI " + std::to_string(descriptor->abi.major) + "." +
                           std::to_string(descriptor->abi.minor) + ", this dubhost speaks ABI " +
                           std::to_string(DUBHOST_ABI_MAJOR) + ".x" + rebuild_hint,
                       manifest),
                nullptr};
    auto plugin = std::make_unique<LoadedPlugin>();
    if (auto problem = describe(*descriptor, plugin->manifest, plugin->backends))
        return {reject(candidate, ScanState::bad_descriptor, *problem, manifest), nullptr};
    if (auto problem = missing_extensions(*descriptor))
        return {reject(candidate, ScanState::incompatible, *problem, manifest), nullptr};
    plugin->manifest.library = manifest.library;
    plugin->manifest.pack = manifest.pack;  // packaging metadata: plugin.json alone says it

    // 4. The manifest users saw must be the plugin that runs.
    if (const auto differences = manifest_differences(manifest, plugin->manifest); !differences.empty())
        return {reject(candidate, ScanState::manifest_mismatch,
                       "plugin.json and the library disagree (" + join(differences, "; ") + ")" + rebuild_hint, manifest),
                nullptr};

    // 5. Let the plugin start (once per process: a second registry reuses the first answer).
    if (const InitAnswer started = start_plugin_once(*descriptor, services); started.status != DUBHOST_STATUS_OK) {
        const auto error = nlohmann::json::parse(started.document, nullptr, false);
        std::string reason = "init failed";
        if (error.is_object()) {
            reason += ": " + error.value("message", std::string("no message"));
            if (const std::string hint = error.value("hint", std::string()); !hint.empty()) reason += "; " + hint;
        }
        return {reject(candidate, ScanState::init_failed, reason, manifest), nullptr};
    }
    plugin->descriptor = descriptor;
    plugin->report = ScanReport{candidate, ScanState::ok, "", manifest};
    return {plugin->report, std::move(plugin)};
}

}  // namespace dubhost
