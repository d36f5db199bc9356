/* dubhost plugin ABI, version 1: the one contract between the dubhost host and its plugins.
 * Read by plugin authors (C or C++) and by the host's loader; everything else is built on it.
 *
 * Rules that hold for every declaration below:
 *  - Pure C (C11 and C++20). No C++ types, no exceptions and no allocator mixing cross this line.
 *  - Every struct begins with its size (the descriptor begins with the ABI version, then its size),
 *    so a later minor version can append fields. Readers check `struct_size` before touching a
 *    field that a newer minor added.
 *  - Strings are NUL-terminated UTF-8. JSON documents follow the schemas in docs/reference/.
 *  - Ownership: memory a plugin hands out stays the plugin's. Static descriptor data lives for as
 *    long as the library is loaded (the host never unloads a library while code from it may run).
 *    A `dubhost_response` filled by a plugin is handed back through its own `release` callback; the
 *    host never frees plugin memory and the plugin never frees host memory.
 *  - Threads: the host calls a backend from one thread at a time per call; host services may be
 *    called from any thread the plugin creates while that call is in progress, never after it
 *    returns.
 */
#ifndef DUBHOST_PLUGIN_H
#define DUBHOST_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The SDK version lives here and only here; CMake reads it from this file. A change of MAJOR is a
 * decision recorded in docs/decisions/ with a migration note. */
#define DUBHOST_ABI_MAJOR 1
#define DUBHOST_ABI_MINOR 0

/* The one exported symbol. Its type is dubhost_plugin_entry_fn. */
#define DUBHOST_PLUGIN_ENTRY_SYMBOL "dubhost_plugin_entry"

#if defined(_WIN32)
#define DUBHOST_EXPORT __declspec(dllexport)
#else
#define DUBHOST_EXPORT __attribute__((visibility("default")))
#endif

typedef struct dubhost_abi_version {
    uint32_t major; /* must equal the host's DUBHOST_ABI_MAJOR */
    uint32_t minor; /* a newer minor than the host's loads only if its required extensions exist */
} dubhost_abi_version;

/* Status codes returned by every call. Non-zero means the response carries an error document. */
typedef enum dubhost_status {
    DUBHOST_STATUS_OK = 0,
    DUBHOST_STATUS_ERROR = 1,         /* the call failed; see the error document */
    DUBHOST_STATUS_BAD_REQUEST = 2,   /* the request JSON was malformed or missing fields */
    DUBHOST_STATUS_NOT_INSTALLED = 3, /* the backend's runtime is missing; hint says how to install */
    DUBHOST_STATUS_CANCELLED = 4      /* the host asked to cancel and the plugin stopped cleanly */
} dubhost_status;

/* Log levels for dubhost_host_services.log. */
typedef enum dubhost_log_level {
    DUBHOST_LOG_DEBUG = 0,
    DUBHOST_LOG_INFO = 1,
    DUBHOST_LOG_WARNING = 2,
    DUBHOST_LOG_ERROR = 3
} dubhost_log_level;

/* A plugin's answer to one call.
 * The host zero-fills it and sets struct_size before the call; the plugin sets `json` and
 * `release`. On DUBHOST_STATUS_OK `json` is the call's result document; otherwise it is an error
 * document {"code": "...", "message": "...", "hint": "..."} where `hint` is the exact next step for
 * the user. The host calls `release(response)` exactly once when it has copied what it needs;
 * `json` must stay valid until then. `release` may be NULL when `json` is static. */
typedef struct dubhost_response {
    uint32_t struct_size;
    const char *json;
    void *plugin_data; /* opaque to the host; for the plugin's release */
    void (*release)(struct dubhost_response *response);
} dubhost_response;

/* Services the host lends to every call. Valid only for the duration of that call. */
typedef struct dubhost_host_services {
    uint32_t struct_size;
    dubhost_abi_version host_abi;
    void *host_data; /* opaque to the plugin */

    /* Writes a line to the job's log (and to the console at the user's verbosity). */
    void (*log)(const struct dubhost_host_services *host, int32_t level, const char *message);

    /* Reports progress: fraction in [0, 1], or negative when unknown; message may be NULL. */
    void (*progress)(const struct dubhost_host_services *host, double fraction, const char *message);

    /* Non-zero once the user asked to cancel. Check it between units of work and, when set,
     * remove partial outputs and return DUBHOST_STATUS_CANCELLED. */
    int32_t (*is_cancelled)(const struct dubhost_host_services *host);

    /* Workspace paths by name: "workspace", "derived", "packs", "logs", "cache".
     * Returns NULL for an unknown name. The string lives as long as the call. */
    const char *(*get_path)(const struct dubhost_host_services *host, const char *name);

    /* Optional services added in later minors, looked up by an id that carries its revision,
     * e.g. "dubhost.ext.example/1". Returns NULL when the host does not offer it. */
    const void *(*get_extension)(const struct dubhost_host_services *host, const char *extension_id);
} dubhost_host_services;

struct dubhost_backend;

/* One call on a backend. `request_json` is the call's request document (never NULL; "{}" when
 * empty). The plugin fills `response` (see dubhost_response) and returns a dubhost_status. */
typedef int32_t (*dubhost_backend_call_fn)(const struct dubhost_backend *backend, const dubhost_host_services *host,
                                           const char *request_json, dubhost_response *response);

/* A backend: one capability implemented one way. */
typedef struct dubhost_backend {
    uint32_t struct_size;
    const char *id;              /* stable, unique within its capability: "espeak-ng", "spleeter" */
    const char *capability;      /* "extract", "separate", "asr", "diarize", "tts", "mix", "mux" */
    uint32_t capability_version; /* revision of that capability's job schema; 1 for now */
    const char *version;         /* the backend's own version, recorded on every job */
    int32_t priority;            /* higher wins when the user and the profile do not choose */
    const char *parameters_json; /* JSON array of {name, type, default, help} */
    const char *consumes_json;   /* JSON array of artifact names read, e.g. ["speech_16k"] */
    const char *produces_json;   /* JSON array of artifact names written */

    /* status: {"installed": bool, "version", "missing": [...], "disk_bytes", "notes": [...]}.
     * Must be cheap and must not change anything. */
    dubhost_backend_call_fn status;
    /* install: explicit user action only, never implied by a job; idempotent; reports progress. */
    dubhost_backend_call_fn install;
    /* run: one job (schema "job" in docs/reference/sdk.md). Reads its inputs and writes outputs
     * only inside the paths the job names, through a temporary name renamed when complete. */
    dubhost_backend_call_fn run;

    void *backend_data; /* opaque to the host */
} dubhost_backend;

/* What dubhost_plugin_entry returns: a description the host can check before trusting the code.
 * It begins with the ABI version so the host can reject a different major before reading more. */
typedef struct dubhost_plugin_descriptor {
    dubhost_abi_version abi; /* DUBHOST_ABI_MAJOR, DUBHOST_ABI_MINOR at build time */
    uint32_t struct_size;    /* sizeof(dubhost_plugin_descriptor) at build time */

    const char *id;            /* reverse-DNS-like, unique: "dubhost.ffmpeg", "org.example.tone" */
    const char *name;          /* for people */
    const char *version;       /* the plugin's version */
    const char *runtime;       /* "native" or "python-pack" */
    const char *manifest_json; /* the build-time plugin.json this library was built with */

    uint32_t backend_count;
    const dubhost_backend *const *backends; /* backend_count pointers, each to a sized struct */

    /* Extension ids (NULL-terminated list, may be NULL) the plugin cannot work without. Lets a
     * plugin built against a newer minor load on an older host when it needs nothing new. */
    const char *const *required_host_extensions;

    /* Called once after the host accepted the descriptor, before any backend call. May be NULL.
     * On failure return non-zero and fill `response` with an error document. */
    int32_t (*init)(const dubhost_host_services *host, dubhost_response *response);
    /* Called once at host exit, after every backend call has returned. May be NULL. */
    void (*shutdown)(void);
} dubhost_plugin_descriptor;

/* The entry point. Must be cheap, must not call back into the host and must not fail: return the
 * same static descriptor every time (or NULL if the plugin cannot describe itself). */
typedef const dubhost_plugin_descriptor *(*dubhost_plugin_entry_fn)(void);

/* Size of version 1.0 of each struct: the least a host accepts. */
#define DUBHOST_DESCRIPTOR_V1_SIZE (offsetof(dubhost_plugin_descriptor, shutdown) + sizeof(void (*)(void)))
#define DUBHOST_BACKEND_V1_SIZE (offsetof(dubhost_backend, backend_data) + sizeof(void *))
#define DUBHOST_HOST_SERVICES_V1_SIZE (offsetof(dubhost_host_services, get_extension) + sizeof(void *))
#define DUBHOST_RESPONSE_V1_SIZE (offsetof(dubhost_response, release) + sizeof(void *))

#ifdef __cplusplus
}
#endif

#endif /* DUBHOST_PLUGIN_H */
