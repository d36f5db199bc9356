// The mux's interleaver: packets of any number of sources come out in time order, each exactly once.
#include "packet_interleave.hpp"

#include <boost/test/unit_test.hpp>

#include <deque>
#include <string>
#include <vector>

using namespace dubhost::ffmpeg;

namespace {

// Packets at the given times, tagged with the source's number (in the packet's stream_index).
class ListedSource : public PacketSource {
public:
    ListedSource(int number, std::deque<double> times) : number_(number), times_(std::move(times)) {}
    std::optional<TimedPacket> next() override {
        if (times_.empty()) return std::nullopt;
        Packet packet = make_packet();
        packet->stream_index = number_;
        const double seconds = times_.front();
        times_.pop_front();
        return TimedPacket{std::move(packet), seconds};
    }

private:
    int number_;
    std::deque<double> times_;
};

}  // namespace

BOOST_AUTO_TEST_SUITE(packet_interleave)

BOOST_AUTO_TEST_CASE(every_packet_of_every_source_comes_out_once_in_time_order) {
    // A video, a dub, and two subtitle tracks whose cues alternate: track two's first cue comes
    // before most of track one's, so writing track after track would be out of order.
    ListedSource video(0, {0.0, 0.04, 0.08, 0.12, 0.16, 3.0, 6.0});
    ListedSource dub(1, {0.0, 0.0213, 0.0426, 5.0});
    ListedSource english(2, {0.5, 3.0, 5.5});
    ListedSource spanish(3, {0.6, 3.1, 5.6, 7.0});
    std::vector<std::pair<double, int>> written;
    const std::size_t count = interleave({&video, &dub, &english, &spanish}, [&](TimedPacket &packet) {
        written.emplace_back(packet.seconds, packet.packet->stream_index);
    });
    BOOST_TEST(count == 18u);
    BOOST_TEST_REQUIRE(written.size() == 18u);
    for (std::size_t i = 1; i < written.size(); ++i) BOOST_TEST(written[i - 1].first <= written[i].first, "packet " << i);
    std::vector<int> subtitles;
    for (const auto &[seconds, source] : written)
        if (source >= 2) subtitles.push_back(source);
    BOOST_TEST(subtitles == (std::vector<int>{2, 3, 2, 3, 2, 3, 3}), boost::test_tools::per_element());
    // Equal times keep the order the sources were listed in (the video before the dub at 0 s, and at 3 s).
    BOOST_TEST(written[0].second == 0);
    BOOST_TEST(written[1].second == 1);
}

BOOST_AUTO_TEST_CASE(no_sources_or_empty_sources_write_nothing) {
    ListedSource empty(0, {});
    BOOST_TEST(interleave({}, [](TimedPacket &) { BOOST_FAIL("nothing to write"); }) == 0u);
    BOOST_TEST(interleave({&empty}, [](TimedPacket &) { BOOST_FAIL("nothing to write"); }) == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
