// Header-only C++ helpers for writing dubhost plugins on top of the C ABI in plugin.h.
// Used by plugin authors (ours and third parties); the C header stays the contract.
//
// A plugin is: a manifest (plugin.def.json, turned by dubhost_add_plugin() into plugin.json and into
// the DUBHOST_MANIFEST_JSON string this code parses), one class per backend deriving from
// dubhost::sdk::Backend, and one DUBHOST_PLUGIN(...) line binding manifest ids to classes:
//
//   #include <dubhost/plugin.hpp>
//   #include "my_plugin_manifest.h"          // generated: defines DUBHOST_MANIFEST_JSON
//   class Tone : public dubhost::sdk::Backend { ... };
//   DUBHOST_PLUGIN(dubhost::sdk::PluginDefinition(DUBHOST_MANIFEST_JSON).backend<Tone>("tone"))
//
// Every exception a backend throws is caught at the boundary and returned as an error document;
// throw dubhost::sdk::CallError to choose the status code, error code and hint.
#ifndef DUBHOST_PLUGIN_HPP
#define DUBHOST_PLUGIN_HPP

#include <dubhost/plugin.h>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace dubhost::sdk {

using json = nlohmann::json;

// A failure with everything the user needs: what went wrong and the exact next step.
class CallError : public std::runtime_error {
public:
    CallError(dubhost_status status, std::string code, const std::string &message, std::string hint = {})
        : std::runtime_error(message), status_(status), code_(std::move(code)), hint_(std::move(hint)) {}

    dubhost_status status() const noexcept { return status_; }
    const std::string &code() const noexcept { return code_; }
    const std::string &hint() const noexcept { return hint_; }

private:
    dubhost_status status_;
    std::string code_;
    std::string hint_;
};

// The host services of one call, with C++ signatures. Valid only during that call.
class Host {
public:
    explicit Host(const dubhost_host_services *services) : services_(services) {}

    void log(dubhost_log_level level, const std::string &message) const {
        if (services_ && services_->log) services_->log(services_, level, message.c_str());
    }
    void debug(const std::string &message) const { log(DUBHOST_LOG_DEBUG, message); }
    void info(const std::string &message) const { log(DUBHOST_LOG_INFO, message); }
    void warn(const std::string &message) const { log(DUBHOST_LOG_WARNING, message); }

    void progress(double fraction, const std::string &message = {}) const {
        if (services_ && services_->progress)
            services_->progress(services_, fraction, message.empty() ? nullptr : message.c_str());
    }
    bool cancelled() const { return services_ && services_->is_cancelled && services_->is_cancelled(services_) != 0; }

    // Throws CallError(CANCELLED) when the user asked to stop; call between units of work.
    void throw_if_cancelled() const {
        if (cancelled()) throw CallError(DUBHOST_STATUS_CANCELLED, "cancelled", "cancelled by the user");
    }

    // A workspace path by name ("workspace", "derived", "packs", "logs", "cache"); empty if unknown.
    std::string path(const char *name) const {
        const char *value = services_ && services_->get_path ? services_->get_path(services_, name) : nullptr;
        return value ? std::string(value) : std::string();
    }

    const void *extension(const char *id) const {
        return services_ && services_->get_extension ? services_->get_extension(services_, id) : nullptr;
    }

    const dubhost_host_services *raw() const noexcept { return services_; }

private:
    const dubhost_host_services *services_;
};

// One backend implementation. The manifest declares its id, capability, version and parameters.
class Backend {
public:
    virtual ~Backend() = default;
    // {"installed": bool, "version": "...", "missing": [...], "disk_bytes": n, "notes": [...]}
    virtual json status(const Host &host, const json &request) = 0;
    // Explicit user action only. The default: nothing to install beyond the plugin itself.
    virtual json install(const Host &host, const json &request) { return status(host, request); }
    // One job; see the job schema in docs/reference/sdk.md.
    virtual json run(const Host &host, const json &job) = 0;
};

// Writes `bytes` to `<path>.part` and renames it over `path`: readers (and later stages) never see
// a half-written artifact, and a failed write leaves the old file untouched.
inline void write_file_atomically(const std::filesystem::path &path, std::string_view bytes) {
    const std::filesystem::path part = path.string() + ".part";
    {
        std::ofstream out(part, std::ios::binary);
        out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
        if (!out) {
            out.close();
            std::error_code ignored;
            std::filesystem::remove(part, ignored);
            throw CallError(DUBHOST_STATUS_ERROR, "write-failed", "cannot write " + part.string(),
                            "check free disk space and permissions");
        }
    }
    std::filesystem::rename(part, path);
}

// A 16-bit PCM WAV (interleaved samples), written atomically.
inline void write_wav_pcm16(const std::filesystem::path &path, const std::int16_t *samples, std::size_t count, int sample_rate,
                            int channels = 1) {
    std::string bytes;
    auto put = [&bytes](std::uint32_t value, int size) {
        for (int i = 0; i < size; ++i) bytes.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
    };
    const auto data = static_cast<std::uint32_t>(count * 2);
    const auto rate = static_cast<std::uint32_t>(sample_rate);
    const auto chans = static_cast<std::uint32_t>(channels);
    bytes += "RIFF";
    put(36 + data, 4);
    bytes += "WAVEfmt ";
    put(16, 4), put(1, 2), put(chans, 2), put(rate, 4), put(rate * chans * 2, 4), put(chans * 2, 2), put(16, 2);
    bytes += "data";
    put(data, 4);
    for (std::size_t i = 0; i < count; ++i) put(static_cast<std::uint16_t>(samples[i]), 2);
    write_file_atomically(path, bytes);
}

// Reads a 16-bit PCM WAV with the given rate and channel count (what the host's extract stage
// writes for speech: 16 kHz mono). Throws CallError naming the file when it is something else.
inline std::vector<std::int16_t> read_wav_pcm16(const std::filesystem::path &path, int sample_rate, int channels) {
    std::ifstream in(path, std::ios::binary);
    const std::string hint = "re-run the extract stage: `dubhost run extract ITEM --force`";
    if (!in) throw CallError(DUBHOST_STATUS_BAD_REQUEST, "missing-input", "cannot read " + path.string(), hint);
    char riff[12] = {};
    in.read(riff, 12);
    if (!in || std::string(riff, 4) != "RIFF" || std::string(riff + 8, 4) != "WAVE")
        throw CallError(DUBHOST_STATUS_BAD_REQUEST, "bad-input", path.string() + " is not a WAV file", hint);
    std::uint16_t format = 0, chans = 0, bits = 0;
    std::uint32_t rate = 0;
    for (;;) {
        char id[4] = {};
        std::uint32_t size = 0;
        in.read(id, 4);
        in.read(reinterpret_cast<char *>(&size), 4);
        if (!in) throw CallError(DUBHOST_STATUS_BAD_REQUEST, "bad-input", path.string() + " has no audio data", hint);
        if (std::string(id, 4) == "fmt " && size >= 16) {
            std::string fmt(size, '\0');
            in.read(fmt.data(), size);
            std::memcpy(&format, fmt.data(), 2);
            std::memcpy(&chans, fmt.data() + 2, 2);
            std::memcpy(&rate, fmt.data() + 4, 4);
            std::memcpy(&bits, fmt.data() + 14, 2);
        } else if (std::string(id, 4) == "data") {
            if (format != 1 || bits != 16 || chans != channels || rate != static_cast<std::uint32_t>(sample_rate))
                throw CallError(DUBHOST_STATUS_BAD_REQUEST, "bad-input",
                                path.string() + " is not " + std::to_string(sample_rate) + " Hz " + std::to_string(channels) +
                                    "-channel 16-bit PCM",
                                hint);
            std::vector<std::int16_t> samples(size / 2);
            in.read(reinterpret_cast<char *>(samples.data()), static_cast<std::streamsize>(samples.size() * 2));
            samples.resize(static_cast<std::size_t>(in.gcount()) / 2);
            return samples;
        } else {
            in.seekg(size + (size & 1), std::ios::cur);
        }
    }
}

// The answer of a failed call, the same from every entry point: what failed (`code`, for programs),
// why (`message`) and what to do next (`hint`, the exact command where there is one).
inline json error_document(const std::string &code, const std::string &message, const std::string &hint = {}) {
    return json{{"code", code}, {"message", message}, {"hint", hint}};
}

namespace detail {

inline void release_response(dubhost_response *response) {
    delete static_cast<std::string *>(response->plugin_data);
    response->plugin_data = nullptr;
    response->json = nullptr;
}

inline int32_t respond(dubhost_response *response, int32_t status, const json &document) {
    if (response == nullptr) return status;
    auto *text = new std::string(document.dump());
    response->json = text->c_str();
    response->plugin_data = text;
    response->release = &release_response;
    return status;
}

// Runs a C++ call and turns every outcome into a status and a response document.
template <class Call>
int32_t guarded(dubhost_response *response, Call &&call) noexcept {
    try {
        return respond(response, DUBHOST_STATUS_OK, call());
    } catch (const CallError &error) {
        try {
            return respond(response, error.status(), error_document(error.code(), error.what(), error.hint()));
        } catch (...) {
            return error.status();
        }
    } catch (const json::exception &error) {
        try {
            return respond(response, DUBHOST_STATUS_BAD_REQUEST,
                           error_document("bad-request", std::string("malformed request: ") + error.what(), ""));
        } catch (...) {
            return DUBHOST_STATUS_BAD_REQUEST;
        }
    } catch (const std::exception &error) {
        try {
            return respond(response, DUBHOST_STATUS_ERROR, error_document("plugin-error", error.what(), ""));
        } catch (...) {
            return DUBHOST_STATUS_ERROR;
        }
    } catch (...) {
        try {
            return respond(response, DUBHOST_STATUS_ERROR, error_document("plugin-error", "unknown exception in plugin", ""));
        } catch (...) {
            return DUBHOST_STATUS_ERROR;
        }
    }
}

inline json parse_request(const char *request_json) { return json::parse(request_json && *request_json ? request_json : "{}"); }

// Everything the C structs of one backend point at, kept alive for the library's lifetime.
struct BackendSlot {
    std::string id, capability, version, parameters, consumes, produces;
    std::unique_ptr<Backend> implementation;
    dubhost_backend c_struct{};
};

enum class Call { status, install, run };

template <Call which>
int32_t backend_call(const dubhost_backend *backend, const dubhost_host_services *services, const char *request_json,
                     dubhost_response *response) noexcept {
    return guarded(response, [&]() -> json {
        auto *slot = static_cast<BackendSlot *>(backend->backend_data);
        Host host(services);
        const json request = parse_request(request_json);
        if constexpr (which == Call::status) return slot->implementation->status(host, request);
        if constexpr (which == Call::install) return slot->implementation->install(host, request);
        return slot->implementation->run(host, request);
    });
}

}  // namespace detail

// Builds a plugin's descriptor from its generated manifest and its backend classes.
class PluginDefinition {
public:
    using InitFunction = std::function<void(const Host &)>;

    explicit PluginDefinition(std::string_view manifest_json)
        : manifest_text_(manifest_json), manifest_(json::parse(manifest_json)) {
        id_ = manifest_.at("id").get<std::string>();
        name_ = manifest_.value("name", id_);
        version_ = manifest_.at("version").get<std::string>();
        runtime_ = manifest_.value("runtime", "native");
    }

    // Binds the manifest's backend `id` to an implementation class constructed with `args`.
    template <class Implementation, class... Args>
    PluginDefinition &&backend(const std::string &id, Args &&...args) && {
        bind(find_backend({}, id), std::make_unique<Implementation>(std::forward<Args>(args)...));
        return std::move(*this);
    }

    // The same for a plugin whose backends share an id across capabilities ("ffmpeg" for extract,
    // mix and mux): ids are unique only within a capability.
    template <class Implementation, class... Args>
    PluginDefinition &&backend_for(const std::string &capability, const std::string &id, Args &&...args) && {
        bind(find_backend(capability, id), std::make_unique<Implementation>(std::forward<Args>(args)...));
        return std::move(*this);
    }

    // Work to do once when the host accepts the plugin; throw CallError to refuse to start.
    PluginDefinition &&on_init(InitFunction init) && {
        init_ = std::move(init);
        return std::move(*this);
    }

    // Called once at host exit, after every backend call has returned (release what init took).
    // An exception it throws is swallowed here: nothing crosses the ABI.
    PluginDefinition &&on_shutdown(std::function<void()> shutdown) && {
        shutdown_ = std::move(shutdown);
        return std::move(*this);
    }

    // Finishes the C structs. Called once, by the DUBHOST_PLUGIN entry point.
    const dubhost_plugin_descriptor *descriptor() {
        for (const json &declared : manifest_.at("backends")) {
            const std::string id = declared.at("id").get<std::string>();
            const std::string capability = declared.at("capability").get<std::string>();
            if (find_slot(capability, id) == nullptr)
                throw std::logic_error("manifest backend '" + capability + "/" + id + "' has no implementation bound");
        }
        pointers_.clear();
        for (auto &slot : slots_) {
            dubhost_backend &c = slot->c_struct;
            c.id = slot->id.c_str();
            c.capability = slot->capability.c_str();
            c.version = slot->version.c_str();
            c.parameters_json = slot->parameters.c_str();
            c.consumes_json = slot->consumes.c_str();
            c.produces_json = slot->produces.c_str();
            c.backend_data = slot.get();
            pointers_.push_back(&c);
        }
        descriptor_.abi = dubhost_abi_version{DUBHOST_ABI_MAJOR, DUBHOST_ABI_MINOR};
        descriptor_.struct_size = sizeof(dubhost_plugin_descriptor);
        descriptor_.id = id_.c_str();
        descriptor_.name = name_.c_str();
        descriptor_.version = version_.c_str();
        descriptor_.runtime = runtime_.c_str();
        descriptor_.manifest_json = manifest_text_.c_str();
        descriptor_.backend_count = static_cast<uint32_t>(pointers_.size());
        descriptor_.backends = pointers_.data();
        descriptor_.required_host_extensions = nullptr;
        descriptor_.init = init_ ? &PluginDefinition::run_init : nullptr;
        descriptor_.shutdown = shutdown_ ? &PluginDefinition::run_shutdown : nullptr;
        active() = this;
        return &descriptor_;
    }

private:
    // An empty capability matches any; the id must then be unique in the manifest.
    const json &find_backend(const std::string &capability, const std::string &id) const {
        const json *found = nullptr;
        for (const json &declared : manifest_.at("backends")) {
            if (declared.at("id") != id || (!capability.empty() && declared.at("capability") != capability)) continue;
            if (found) throw std::logic_error("backend id '" + id + "' is declared for several capabilities: use backend_for()");
            found = &declared;
        }
        if (!found) throw std::logic_error("backend '" + capability + "/" + id + "' is not declared in the plugin manifest");
        return *found;
    }

    const detail::BackendSlot *find_slot(const std::string &capability, const std::string &id) const {
        for (const auto &slot : slots_)
            if (slot->id == id && slot->capability == capability) return slot.get();
        return nullptr;
    }

    void bind(const json &declared, std::unique_ptr<Backend> implementation) {
        auto slot = std::make_unique<detail::BackendSlot>();
        slot->id = declared.at("id").get<std::string>();
        slot->capability = declared.at("capability").get<std::string>();
        slot->version = declared.value("version", version_);
        slot->parameters = declared.value("parameters", json::array()).dump();
        slot->consumes = declared.value("consumes", json::array()).dump();
        slot->produces = declared.value("produces", json::array()).dump();
        slot->implementation = std::move(implementation);
        dubhost_backend &c = slot->c_struct;
        c.struct_size = sizeof(dubhost_backend);
        c.capability_version = declared.value("capability_version", 1u);
        c.priority = declared.value("priority", 0);
        c.status = &detail::backend_call<detail::Call::status>;
        c.install = &detail::backend_call<detail::Call::install>;
        c.run = &detail::backend_call<detail::Call::run>;
        slots_.push_back(std::move(slot));
    }

    // The one definition of this library, so the C init callback can reach its C++ function.
    static PluginDefinition *&active() {
        static PluginDefinition *definition = nullptr;
        return definition;
    }

    static int32_t run_init(const dubhost_host_services *services, dubhost_response *response) {
        return detail::guarded(response, [&]() -> json {
            active()->init_(Host(services));
            return json::object();
        });
    }

    static void run_shutdown() noexcept {
        try {
            active()->shutdown_();
        } catch (...) {
        }
    }

    std::string manifest_text_;
    json manifest_;
    std::string id_, name_, version_, runtime_;
    std::vector<std::unique_ptr<detail::BackendSlot>> slots_;
    std::vector<const dubhost_backend *> pointers_;
    InitFunction init_;
    std::function<void()> shutdown_;
    dubhost_plugin_descriptor descriptor_{};
};

}  // namespace dubhost::sdk

// Defines the exported entry point from an expression that yields a PluginDefinition.
// The definition is built on first call; a definition that cannot be built yields NULL, which the
// host reports as "the plugin could not describe itself".
#define DUBHOST_PLUGIN(definition_expression)                                                                     \
    extern "C" DUBHOST_EXPORT const dubhost_plugin_descriptor *dubhost_plugin_entry(void) {                       \
        static const dubhost_plugin_descriptor *descriptor = []() noexcept -> const dubhost_plugin_descriptor * { \
            try {                                                                                                 \
                static ::dubhost::sdk::PluginDefinition definition = (definition_expression);                     \
                return definition.descriptor();                                                                   \
            } catch (...) {                                                                                       \
                return nullptr;                                                                                   \
            }                                                                                                     \
        }();                                                                                                      \
        return descriptor;                                                                                        \
    }

#endif  // DUBHOST_PLUGIN_HPP
