// Segment text in and out of apertium's stream format (`apertium -z -f none`): special characters
// escaped, markup and line breaks kept as superblanks (passed through untranslated), one
// NUL-terminated block per segment; on the way back, escapes and unknown-word marks removed.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace dubhost::apertium {

// One segment as a block of stream format (without its NUL). SRT/VTT tags (<i>, </font>) and ASS
// overrides ({\an8}) become superblanks, as do line breaks; a trailing empty superblank keeps
// apertium from dropping a sentence-final period at the end of the block.
std::string to_stream(std::string_view text);

struct Translated {
    std::string text;
    std::vector<std::string> unknown_words;  // words apertium marked '*' (not in its dictionary)
};

// A block apertium wrote back, as text: escapes and superblanks undone, marks (* # @) removed,
// runs of spaces collapsed and each line trimmed.
Translated from_stream(std::string_view block);

// Splits apertium's null-flushed output into its blocks. Every program of the pipeline adds an
// empty block when it ends, so blocks past `expected` must be empty; nullopt-like: returns fewer
// than `expected` when apertium wrote fewer (the caller reports the mismatch).
std::vector<std::string> split_blocks(std::string_view output, std::size_t expected);

}  // namespace dubhost::apertium
