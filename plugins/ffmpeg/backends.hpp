// The FFmpeg plugin's backends. Job documents for each are in docs/reference/jobs.md.
#pragma once

#include <dubhost/plugin.hpp>

namespace dubhost::ffmpeg {

using sdk::json;

// Reads what a media file holds; the host calls it at import and stores the result on the item.
class ProbeBackend : public sdk::Backend {
public:
    json status(const sdk::Host &host, const json &request) override;
    json run(const sdk::Host &host, const json &job) override;
};

// Decodes one audio stream to the working WAV files (48 kHz stereo and 16 kHz mono).
class ExtractBackend : public sdk::Backend {
public:
    json status(const sdk::Host &host, const json &request) override;
    json run(const sdk::Host &host, const json &job) override;
};

// Places every dubbed segment over the background in one streaming pass, ducks, normalises.
class MixBackend : public sdk::Backend {
public:
    json status(const sdk::Host &host, const json &request) override;
    json run(const sdk::Host &host, const json &job) override;
};

// Puts the dubbed audio (and the original, and subtitles) into the video without re-encoding it.
class MuxBackend : public sdk::Backend {
public:
    json status(const sdk::Host &host, const json &request) override;
    json run(const sdk::Host &host, const json &job) override;
};

// The status every backend of this plugin reports: the FFmpeg libraries are linked in.
json ffmpeg_status();

// A required string field of the job, as a BAD_REQUEST when missing.
std::string job_path(const json &job, const char *group, const char *name);

}  // namespace dubhost::ffmpeg
