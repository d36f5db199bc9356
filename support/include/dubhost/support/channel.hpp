// The protocol channel between dubhost and a child it starts (a job worker, the plugin scanner, a
// pack's runner): JSON lines on file descriptor 3, apart from stdout and stderr, which belong to the
// libraries the child runs. Every line is {"protocol": N, "type": "...", ...fields}.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdio>
#include <optional>
#include <string>

namespace dubhost {

inline constexpr int channel_fd = 3;

// One message as a line (without the newline): `fields` plus the protocol version and the type.
std::string channel_line(int protocol, const std::string &type, nlohmann::json fields = nlohmann::json::object());

// A line read from the channel: the message, or why it is not a message of `protocol` (not JSON,
// no type, another protocol version: a child from another build of dubhost or of the plugin).
struct ChannelRead {
    std::optional<nlohmann::json> message;
    std::string problem;
};
ChannelRead read_channel_line(const std::string &line, int protocol);

// The child's end: sends messages on fd 3, one flushed line each.
class ChannelWriter {
public:
    explicit ChannelWriter(int protocol);
    ChannelWriter(const ChannelWriter &) = delete;
    ChannelWriter &operator=(const ChannelWriter &) = delete;
    ~ChannelWriter();

    // False when this process was not started with a channel (fd 3 is not open).
    bool open() const noexcept { return stream_ != nullptr; }
    void send(const std::string &type, nlohmann::json fields = nlohmann::json::object());

private:
    int protocol_;
    std::FILE *stream_ = nullptr;
};

}  // namespace dubhost
