// ISO 639-1 (two letters, what users type) to ISO 639-2/B (three letters, what MP4 and Matroska
// store). Used by mux for track language tags.
#pragma once

#include <string>

namespace dubhost::ffmpeg {

// "en" -> "eng", "de-AT" -> "ger"; a three-letter code passes through; unknown -> "und".
std::string iso639_2(const std::string &language);

}  // namespace dubhost::ffmpeg
