// UTC timestamps (clock.hpp): gmtime_r, since std::gmtime shares one buffer between threads.
#include <dubhost/support/clock.hpp>

#include <chrono>
#include <ctime>

namespace dubhost {

std::string utc_timestamp() {
    const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm parts{};
    ::gmtime_r(&now, &parts);
    char buffer[32];
    std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &parts);
    return buffer;
}

}  // namespace dubhost
