// The FFmpeg plugin's entry point: binds the manifest's backends to their implementations.
#include "backends.hpp"

#include "dubhost_manifest.h"

extern "C" {
#include <libavutil/log.h>
}

DUBHOST_PLUGIN(dubhost::sdk::PluginDefinition(DUBHOST_MANIFEST_JSON)
                   .backend_for<dubhost::ffmpeg::ProbeBackend>("probe", "ffmpeg")
                   .backend_for<dubhost::ffmpeg::ExtractBackend>("extract", "ffmpeg")
                   .backend_for<dubhost::ffmpeg::MixBackend>("mix", "ffmpeg")
                   .backend_for<dubhost::ffmpeg::MuxBackend>("mux", "ffmpeg")
                   // Every FFmpeg failure reaches the user as a CallError naming file and reason;
                   // FFmpeg's own console lines would only repeat it less clearly.
                   .on_init([](const dubhost::sdk::Host &) { av_log_set_level(AV_LOG_FATAL); }))
