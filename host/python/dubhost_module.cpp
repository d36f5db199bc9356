// `import dubhost`: the host for Python users and notebooks. A Workspace opens (or creates) a
// workspace and discovers plugins like the CLI does; items and jobs come back as the same
// dictionaries `dubhost ... --json` prints; subtitle tracks are objects whose segments can be
// edited in place and saved as a new track. Errors are dubhost.Error (UserError, BackendError)
// with .code, .hint and .message; the GIL is released while jobs and installs run.
#include "dubhost/host/backend_selection.hpp"
#include "dubhost/host/batch_engines.hpp"
#include "dubhost/host/dub.hpp"
#include "dubhost/host/host_services.hpp"
#include "dubhost/host/media_prober.hpp"
#include "dubhost/host/pack_owners.hpp"
#include "dubhost/host/paths.hpp"
#include "dubhost/host/pipeline.hpp"
#include "dubhost/host/plugin_registry.hpp"
#include "dubhost/host/plugin_settings.hpp"
#include "dubhost/host/record_json.hpp"
#include "dubhost/host/subtitle_formats.hpp"
#include "dubhost/host/version.hpp"
#include "dubhost/host/workspace.hpp"

#include <dubhost/support/error.hpp>
#include <pybind11/functional.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <pybind11/stl_bind.h>
#include <spdlog/spdlog.h>

#include <memory>
#include <optional>

namespace py = pybind11;
namespace fs = std::filesystem;
using dubhost::SubtitleSegment;
using dubhost::SubtitleTrack;

// Segments are edited in place (track.segments[0].text = "..."), so the list is a bound C++
// vector, not a Python list copied on every access.
PYBIND11_MAKE_OPAQUE(std::vector<dubhost::SubtitleSegment>)

namespace {

py::object to_python(const nlohmann::json &value) {
    switch (value.type()) {
    case nlohmann::json::value_t::null:
        return py::none();
    case nlohmann::json::value_t::boolean:
        return py::bool_(value.get<bool>());
    case nlohmann::json::value_t::number_integer:
        return py::int_(value.get<std::int64_t>());
    case nlohmann::json::value_t::number_unsigned:
        return py::int_(value.get<std::uint64_t>());
    case nlohmann::json::value_t::number_float:
        return py::float_(value.get<double>());
    case nlohmann::json::value_t::string:
        return py::str(value.get<std::string>());
    case nlohmann::json::value_t::array: {
        py::list list;
        for (const auto &element : value) list.append(to_python(element));
        return list;
    }
    default: {
        py::dict dict;
        for (const auto &[key, element] : value.items()) dict[py::str(key)] = to_python(element);
        return dict;
    }
    }
}

// Stage parameters from keyword arguments: numbers, booleans and strings, as `--param` takes them.
nlohmann::json parameters_from(const py::kwargs &keywords) {
    nlohmann::json params = nlohmann::json::object();
    for (const auto &[key, value] : keywords) {
        const std::string name = py::cast<std::string>(key);
        if (py::isinstance<py::bool_>(value))
            params[name] = value.cast<bool>();
        else if (py::isinstance<py::int_>(value))
            params[name] = value.cast<std::int64_t>();
        else if (py::isinstance<py::float_>(value))
            params[name] = value.cast<double>();
        else if (py::isinstance<py::str>(value))
            params[name] = value.cast<std::string>();
        else
            throw dubhost::user_error("bad-parameter", "parameter " + name + " must be a number, a bool or a string",
                                      "pass " + name + "=<value>");
    }
    return params;
}

// The progress callback runs with the GIL; it is also where Ctrl-C (and an exception raised by
// the callback itself) reaches a job running without the GIL: the job is cancelled cleanly.
class ProgressBridge {
public:
    ProgressBridge(dubhost::HostServices &services, std::optional<py::function> callback)
        : services_(services),
          callback_(std::move(callback)),
          scope_(services, {{}, [this](double fraction, const std::string &message) { report(fraction, message); }, {}}) {}
    ProgressBridge(const ProgressBridge &) = delete;
    ProgressBridge &operator=(const ProgressBridge &) = delete;

    // After the call: re-raises what the callback or a signal raised.
    void rethrow() {
        if (pending_) {
            py::error_already_set error = std::move(*pending_);
            pending_.reset();
            throw error;
        }
    }

private:
    void report(double fraction, const std::string &message) {
        py::gil_scoped_acquire gil;
        if (pending_) return;
        try {
            if (PyErr_CheckSignals() != 0) throw py::error_already_set();
            if (callback_) (*callback_)(fraction, message);
        } catch (py::error_already_set &error) {
            pending_.emplace(std::move(error));
            services_.request_cancel();
        }
    }

    dubhost::HostServices &services_;
    std::optional<py::function> callback_;
    std::optional<py::error_already_set> pending_;
    const dubhost::CallScope scope_;  // last: the sink it lends calls report() on this object
};

// Runs `work` without the GIL; a Python error raised meanwhile in the progress callback (or by
// Ctrl-C) wins over the "cancelled" failure it caused.
template <typename Work>
auto without_gil(ProgressBridge &bridge, Work &&work) {
    try {
        auto result = [&] {
            py::gil_scoped_release free;
            return work();
        }();
        bridge.rethrow();
        return result;
    } catch (const dubhost::Failure &) {
        bridge.rethrow();
        throw;
    }
}

class PyWorkspace {
public:
    PyWorkspace(const std::string &path, const std::vector<std::string> &plugin_paths, bool safe_mode,
                const std::optional<std::string> &dubhost_binary)
        : workspace_(dubhost::Workspace::open(path.empty() ? dubhost::default_workspace_path() : fs::path(path))),
          plugin_paths_(plugin_paths.begin(), plugin_paths.end()),
          safe_mode_(safe_mode) {
        if (dubhost_binary && !dubhost_binary->empty()) binary_ = fs::absolute(*dubhost_binary);
        const fs::path root = workspace_.root();
        services_ = std::make_unique<dubhost::HostServices>(
            std::map<std::string, std::string>{{"workspace", root.string()},
                                               {"derived", (root / "derived").string()},
                                               {"packs", dubhost::packs_folder(root).string()},
                                               {"logs", (root / "logs").string()},
                                               {"cache", (root / "cache").string()}},
            "plugin");
    }

    std::string path() const { return workspace_.root().string(); }
    bool isolated() const { return !binary_.empty(); }

    py::object import_media(const std::string &file, bool link) {
        const auto prober = dubhost::prober_from_registry(registry(), *services_);
        const auto outcome = [&] {
            py::gil_scoped_release free;
            return workspace_.import_media(file,
                                           link ? dubhost::Workspace::ImportMode::link : dubhost::Workspace::ImportMode::copy,
                                           prober ? &*prober : nullptr);
        }();
        return to_python({{"item_id", outcome.item.id},
                          {"already_present", outcome.already_present},
                          {"item", dubhost::item_json(outcome.item)}});
    }

    py::object items() const {
        nlohmann::json list = nlohmann::json::array();
        for (const auto &item : workspace_.items()) list.push_back(dubhost::item_json(item));
        return to_python(list);
    }

    py::object jobs(const std::optional<std::string> &item) const {
        nlohmann::json list = nlohmann::json::array();
        const std::string id = item ? workspace_.require_item(*item).id : std::string();
        for (const auto &job : workspace_.jobs(id)) list.push_back(dubhost::job_json(job));
        return to_python(list);
    }

    std::vector<SubtitleTrack> tracks(const std::string &item) const {
        return workspace_.tracks(workspace_.require_item(item).id);
    }

    std::int64_t add_track(SubtitleTrack track) {
        track.id = 0;
        track.item_id = workspace_.require_item(track.item_id).id;
        if (track.created_by.empty()) track.created_by = "python";
        for (auto &segment : track.segments) {
            if (segment.end_ms < segment.start_ms)
                throw dubhost::user_error("bad-segment",
                                          "a segment ends (" + std::to_string(segment.end_ms) + " ms) before it starts (" +
                                              std::to_string(segment.start_ms) + " ms)",
                                          "fix its start_ms/end_ms");
            segment.id = 0;
        }
        return workspace_.add_track(std::move(track));
    }

    // What reading a subtitle file repaired or dropped, given to Python's warnings, one per repair.
    static void warn_repairs(const std::string &file, const std::vector<std::string> &repairs) {
        const py::object warn = py::module_::import("warnings").attr("warn");
        for (const auto &repair : repairs) warn(fs::path(file).filename().string() + ": " + repair);
    }

    std::int64_t import_track(const std::string &item, const std::string &file, const std::string &language, bool strict) {
        const auto parsed = dubhost::read_subtitle_file(
            file, std::nullopt, strict ? dubhost::SubtitleReading::strict : dubhost::SubtitleReading::tolerant);
        warn_repairs(file, parsed.repairs);
        SubtitleTrack track;
        track.segments = parsed.segments;
        track.item_id = workspace_.require_item(item).id;
        track.kind = "script";
        track.language = language.empty() ? parsed.language : language;
        track.created_by = "import:" + fs::path(file).filename().string();
        return workspace_.add_track(std::move(track));
    }

    py::object run(const std::string &stage, const std::string &item, const std::optional<std::string> &backend, bool force,
                   const std::optional<std::int64_t> &track, const std::optional<py::function> &progress,
                   const py::kwargs &params) {
        dubhost::StageRequest request;
        request.stage = stage;
        request.item = item;
        request.backend = backend;
        request.force = force;
        request.track = track;
        request.params = parameters_from(params);
        dubhost::Pipeline pipeline(workspace_, registry(), *services_, dubhost::load_machine_profile(dubhost::profile_path()));
        if (!binary_.empty()) pipeline.run_jobs_in_workers(binary_);
        ProgressBridge bridge(*services_, progress);
        const auto outcome = without_gil(bridge, [&] { return pipeline.run(request); });
        nlohmann::json document = dubhost::job_json(outcome.job);
        document["skipped"] = outcome.skipped;
        document["summary"] = outcome.summary;
        return to_python(document);
    }

    py::object dub(const std::string &video, const std::optional<std::string> &subtitles, const std::string &language,
                   const std::optional<std::string> &output, const std::map<std::string, std::string> &voices,
                   const std::map<std::string, std::string> &backends, const std::string &background,
                   const std::optional<py::function> &progress, const std::string &to, const std::string &from, bool keep_overrun,
                   bool strict_subtitles) {
        dubhost::DubRequest request;
        if (strict_subtitles) request.subtitle_reading = dubhost::SubtitleReading::strict;
        request.video = video;
        if (subtitles) request.subtitles = *subtitles;
        request.language = language;
        request.to = to;
        request.from = from;
        request.keep_overrun = keep_overrun;
        if (output) request.output = *output;
        request.voices = voices;
        request.backends = backends;
        request.background = background;
        const auto profile = dubhost::load_machine_profile(dubhost::profile_path());
        const auto choices = dubhost::choose_backends(registry(), *services_, profile, request.backends);
        const auto prober = dubhost::prober_from_registry(registry(), *services_);
        dubhost::Pipeline pipeline(workspace_, registry(), *services_, profile);
        if (!binary_.empty()) pipeline.run_jobs_in_workers(binary_);
        ProgressBridge bridge(*services_, progress);
        const auto result = without_gil(
            bridge, [&] { return dubhost::run_dub(workspace_, pipeline, choices, request, prober ? &*prober : nullptr); });
        if (subtitles) warn_repairs(*subtitles, result.subtitle_repairs);
        return to_python(dubhost::dub_result_json(result));
    }

    py::object plugins() { return to_python(dubhost::plugins_json(registry())); }

    py::object backends() {
        const auto choices =
            dubhost::choose_backends(registry(), *services_, dubhost::load_machine_profile(dubhost::profile_path()), {});
        return to_python(nlohmann::json(choices));
    }

    py::object packs() {
        nlohmann::json list = nlohmann::json::array();
        for (const auto &[id, owner] : dubhost::pack_owners(registry()))
            list.push_back(dubhost::pack_state(*services_, id, owner));
        return to_python(list);
    }

    py::object install_pack(const std::string &id, const std::optional<std::string> &wheelhouse,
                            const std::optional<std::string> &index_url, bool offline, bool force,
                            const std::optional<py::function> &progress, bool dry_run,
                            const std::map<std::string, std::string> &model_dirs,
                            const std::map<std::string, std::string> &model_archives,
                            const std::optional<std::string> &preinstall_index) {
        dubhost::require_pack_id(id);
        const auto owners = dubhost::pack_owners(registry());
        const dubhost::PackOwner &owner = dubhost::require_pack_owner(owners, id);
        nlohmann::json request = {{"offline", offline}, {"force", force}, {"dry_run", dry_run}};
        if (wheelhouse) request["wheelhouse"] = fs::absolute(*wheelhouse).string();
        if (index_url) request["index_url"] = *index_url;
        if (preinstall_index) request["preinstall_index"] = *preinstall_index;
        // {model name ("" for the pack's main model): path}, as `--model-dir NAME=DIR` / `--model-archive NAME=FILE`
        for (const auto &[field, paths] : {std::pair{"model_dirs", &model_dirs}, {"model_archives", &model_archives}})
            for (const auto &[name, path] : *paths) request[field][name] = fs::absolute(path).string();
        ProgressBridge bridge(*services_, progress);
        return to_python(without_gil(bridge, [&] { return dubhost::install_pack(*services_, owner, request); }));
    }

private:
    // Plugins are discovered on first use, like the CLI: listing items loads no plugin code.
    const dubhost::PluginRegistry &registry() {
        if (!registry_) {
            auto search = dubhost::plugin_search_path(plugin_paths_, safe_mode_);
            // The in-tree plugins sit beside the dubhost binary, not beside the Python interpreter.
            for (auto &dir : search)
                if (dir.origin == "install" && !binary_.empty())
                    dir.path = binary_.parent_path().parent_path() / "lib" / "dubhost" / "plugins";
            dubhost::DiscoveryOptions discovery;
            if (!binary_.empty()) {
                discovery.scanner = binary_;
                discovery.cache_file = dubhost::scan_cache_path();
            }
            discovery.disabled = dubhost::load_disabled_plugins(dubhost::plugin_settings_path());
            registry_.emplace(dubhost::PluginRegistry::discover(search, *services_, discovery));
        }
        return *registry_;
    }

    dubhost::Workspace workspace_;
    std::vector<fs::path> plugin_paths_;
    bool safe_mode_;
    fs::path binary_;
    std::unique_ptr<dubhost::HostServices> services_;
    std::optional<dubhost::PluginRegistry> registry_;
};

}  // namespace

// `dubhost.batch` (host/python/dubhost/batch.py): the folder's tasks run by the engine as
// `dubhost batch run-task` processes of `binary`, the GIL released while they run.
py::object run_batch(const dubhost::BatchFolder &folder, const dubhost::BatchEngineOptions &engine, const std::string &binary) {
    if (binary.empty())
        throw dubhost::user_error("no-dubhost-binary",
                                  "batch tasks run as `dubhost batch run-task`, and no dubhost program was found",
                                  "install dubhost, or set DUBHOST_BINARY to the dubhost program");
    {
        py::gil_scoped_release released;
        dubhost::submit_batch_tasks(folder, folder.unfinished(), engine, {binary}, {}, {});
    }
    return to_python(dubhost::reconcile_with_slurm(folder, folder.status()));
}

PYBIND11_MODULE(_dubhost, m) {
    m.doc() = "dubhost: dub and localise videos on your own machine (the C++ host, from Python)";
    spdlog::set_level(spdlog::level::warn);
    m.attr("__version__") = dubhost::dubhost_version();

    // dubhost.Error(message) with .code, .hint, .message; UserError (the caller can fix it) and
    // BackendError (a plugin or job failed) derive from it.
    static py::exception<dubhost::Failure> error(m, "Error");
    static py::handle user_error = PyErr_NewException("dubhost._dubhost.UserError", error.ptr(), nullptr);
    static py::handle backend_error = PyErr_NewException("dubhost._dubhost.BackendError", error.ptr(), nullptr);
    m.attr("UserError") = user_error;
    m.attr("BackendError") = backend_error;
    py::register_exception_translator([](std::exception_ptr raised) {
        try {
            if (raised) std::rethrow_exception(raised);
        } catch (const dubhost::Failure &failure) {
            const py::handle type = failure.kind() == dubhost::ErrorKind::user      ? user_error
                                    : failure.kind() == dubhost::ErrorKind::backend ? backend_error
                                                                                    : error;
            py::object instance = py::reinterpret_borrow<py::object>(type)(failure.what());
            instance.attr("code") = failure.code();
            instance.attr("hint") = failure.hint();
            instance.attr("message") = std::string(failure.what());
            PyErr_SetObject(type.ptr(), instance.ptr());
        }
    });

    py::class_<SubtitleSegment>(m, "Segment")
        .def(py::init([](std::int64_t start_ms, std::int64_t end_ms, std::string text, std::string speaker) {
                 SubtitleSegment segment;
                 segment.start_ms = start_ms;
                 segment.end_ms = end_ms;
                 segment.text = std::move(text);
                 segment.speaker = std::move(speaker);
                 return segment;
             }),
             py::arg("start_ms"), py::arg("end_ms"), py::arg("text"), py::arg("speaker") = "")
        .def_readonly("id", &SubtitleSegment::id)
        .def_readwrite("start_ms", &SubtitleSegment::start_ms)
        .def_readwrite("end_ms", &SubtitleSegment::end_ms)
        .def_readwrite("text", &SubtitleSegment::text)
        .def_readwrite("speaker", &SubtitleSegment::speaker)
        .def("__eq__", [](const SubtitleSegment &a, const SubtitleSegment &b) { return a == b; })
        .def("__repr__", [](const SubtitleSegment &segment) {
            return "Segment(" + std::to_string(segment.start_ms) + ", " + std::to_string(segment.end_ms) + ", " +
                   py::repr(py::str(segment.text)).cast<std::string>() +
                   ", speaker=" + py::repr(py::str(segment.speaker)).cast<std::string>() + ")";
        });
    py::bind_vector<std::vector<SubtitleSegment>>(m, "SegmentList");

    py::class_<SubtitleTrack>(m, "Track")
        .def(py::init([](std::string item_id, std::string kind, std::string language) {
                 SubtitleTrack track;
                 track.item_id = std::move(item_id);
                 track.kind = std::move(kind);
                 track.language = std::move(language);
                 return track;
             }),
             py::arg("item_id"), py::arg("kind") = "script", py::arg("language") = "")
        .def_readonly("id", &SubtitleTrack::id)
        .def_readwrite("item_id", &SubtitleTrack::item_id)
        .def_readwrite("kind", &SubtitleTrack::kind)
        .def_readwrite("language", &SubtitleTrack::language)
        .def_readwrite("created_by", &SubtitleTrack::created_by)
        .def_readwrite("segments", &SubtitleTrack::segments)
        .def("__repr__", [](const SubtitleTrack &track) {
            return "Track(id=" + std::to_string(track.id) + ", item_id='" + track.item_id + "', kind='" + track.kind +
                   "', language='" + track.language + "', " + std::to_string(track.segments.size()) + " segments)";
        });

    // dubhost.batch's engine options, as `dubhost batch submit` takes them.
    auto engine_options = [](const std::string &engine, unsigned jobs, bool wait, const py::dict &slurm) {
        dubhost::BatchEngineOptions options;
        options.engine = engine;
        options.jobs = jobs;
        options.wait = wait;
        for (const auto &[key, value] : slurm) {
            const std::string name = py::str(key);
            if (name == "partition")
                options.partition = py::str(value);
            else if (name == "time")
                options.time = py::str(value);
            else if (name == "mem")
                options.mem = py::str(value);
            else if (name == "cpus_per_task")
                options.cpus_per_task = value.cast<unsigned>();
            else if (name == "max_parallel")
                options.max_parallel = value.cast<unsigned>();
            else if (name == "sbatch_args")
                options.sbatch_args = value.cast<std::vector<std::string>>();
            else
                throw dubhost::user_error("unknown-option", "dubhost.batch has no Slurm option '" + name + "'",
                                          "use partition, time, mem, cpus_per_task, max_parallel or sbatch_args");
        }
        return options;
    };
    m.def(
        "_batch_submit",
        [engine_options](const std::string &manifest, const std::string &dir, const std::string &engine, unsigned jobs, bool wait,
                         const py::dict &slurm, const std::string &binary) {
            const auto options = engine_options(engine, jobs, wait, slurm);
            const auto rows = dubhost::read_batch_manifest(manifest);
            return run_batch(dubhost::BatchFolder::create(dir, manifest, rows), options, binary);
        },
        py::arg("manifest"), py::arg("dir"), py::arg("engine"), py::arg("jobs"), py::arg("wait"), py::arg("slurm"),
        py::arg("binary"));
    m.def(
        "_batch_resume",
        [engine_options](const std::string &dir, const std::string &engine, unsigned jobs, bool wait, const py::dict &slurm,
                         const std::string &binary) {
            return run_batch(dubhost::BatchFolder::open(dir), engine_options(engine, jobs, wait, slurm), binary);
        },
        py::arg("dir"), py::arg("engine"), py::arg("jobs"), py::arg("wait"), py::arg("slurm"), py::arg("binary"));
    m.def(
        "_batch_status",
        [](const std::string &dir) {
            const auto folder = dubhost::BatchFolder::open(dir);
            return to_python(dubhost::reconcile_with_slurm(folder, folder.status()));
        },
        py::arg("dir"));

    py::class_<PyWorkspace>(m, "Workspace")
        .def(py::init<const std::string &, const std::vector<std::string> &, bool, const std::optional<std::string> &>(),
             py::arg("path") = "", py::arg("plugin_paths") = std::vector<std::string>{}, py::arg("safe_mode") = false,
             py::arg("dubhost_binary") = py::none())
        .def_property_readonly("path", &PyWorkspace::path)
        .def_property_readonly("isolated", &PyWorkspace::isolated,
                               "True when plugins are scanned and jobs run in child dubhost processes")
        .def("import_media", &PyWorkspace::import_media, py::arg("file"), py::arg("link") = false)
        .def("items", &PyWorkspace::items)
        .def("jobs", &PyWorkspace::jobs, py::arg("item") = py::none())
        .def("tracks", &PyWorkspace::tracks, py::arg("item"))
        .def("add_track", &PyWorkspace::add_track, py::arg("track"),
             "Stores the track (edited or new) as a new track of its item and returns its id")
        .def("import_track", &PyWorkspace::import_track, py::arg("item"), py::arg("file"), py::arg("language") = "",
             py::arg("strict") = false)
        .def("run", &PyWorkspace::run, py::arg("stage"), py::arg("item"), py::arg("backend") = py::none(),
             py::arg("force") = false, py::arg("track") = py::none(), py::arg("progress") = py::none())
        .def("dub", &PyWorkspace::dub, py::arg("video"), py::arg("subtitles") = py::none(), py::arg("language") = "",
             py::arg("output") = py::none(), py::arg("voices") = std::map<std::string, std::string>{},
             py::arg("backends") = std::map<std::string, std::string>{}, py::arg("background") = "",
             py::arg("progress") = py::none(), py::arg("to") = "", py::arg("from_") = "", py::arg("keep_overrun") = false,
             py::arg("strict_subtitles") = false,
             "Imports the video and runs every stage; to=\"es\" translates the track first (from_: its language "
             "when the subtitles do not say)")
        .def("plugins", &PyWorkspace::plugins)
        .def("backends", &PyWorkspace::backends)
        .def("packs", &PyWorkspace::packs)
        .def("install_pack", &PyWorkspace::install_pack, py::arg("id"), py::arg("wheelhouse") = py::none(),
             py::arg("index_url") = py::none(), py::arg("offline") = false, py::arg("force") = false,
             py::arg("progress") = py::none(), py::arg("dry_run") = false,
             py::arg("model_dirs") = std::map<std::string, std::string>(),
             py::arg("model_archives") = std::map<std::string, std::string>(), py::arg("preinstall_index") = py::none());
}
