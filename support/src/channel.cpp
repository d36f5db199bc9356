// The protocol channel's encoding and the child's writer (see channel.hpp): one definition of the
// framing that job workers, the plugin scanner and pack runners share.
#include <dubhost/support/channel.hpp>

#include <fcntl.h>

namespace dubhost {
namespace {

std::string shortened(const std::string &text, std::size_t limit = 160) {
    return text.size() <= limit ? text : text.substr(0, limit) + "...";
}

}  // namespace

std::string channel_line(int protocol, const std::string &type, nlohmann::json fields) {
    fields["protocol"] = protocol;
    fields["type"] = type;
    return fields.dump();
}

ChannelRead read_channel_line(const std::string &line, int protocol) {
    const auto message = nlohmann::json::parse(line, nullptr, false);
    if (message.is_discarded() || !message.is_object() || !message.contains("type") || !message["type"].is_string() ||
        !message.contains("protocol") || !message["protocol"].is_number_integer())
        return {std::nullopt, "wrote something that is not a protocol message: `" + shortened(line) + "`"};
    if (const std::int64_t spoken = message["protocol"].get<std::int64_t>(); spoken != protocol)
        return {std::nullopt,
                "speaks channel protocol " + std::to_string(spoken) + ", this side speaks " + std::to_string(protocol)};
    return {message, {}};
}

ChannelWriter::ChannelWriter(int protocol) : protocol_(protocol) {
    if (::fcntl(channel_fd, F_GETFD) < 0) return;
    // Not inherited: a program this child starts must not keep the parent waiting for the end of
    // the channel after this child is gone.
    ::fcntl(channel_fd, F_SETFD, FD_CLOEXEC);
    stream_ = ::fdopen(channel_fd, "w");
}

ChannelWriter::~ChannelWriter() {
    if (stream_) std::fclose(stream_);
}

void ChannelWriter::send(const std::string &type, nlohmann::json fields) {
    if (!stream_) return;
    std::fputs((channel_line(protocol_, type, std::move(fields)) + "\n").c_str(), stream_);
    std::fflush(stream_);
}

}  // namespace dubhost
