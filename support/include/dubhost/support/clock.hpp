// Time as the workspace and receipts record it: UTC, ISO 8601 to the second ("2026-12-02T05:29:43Z"),
// so records from different machines and time zones sort and compare as text.
#pragma once

#include <string>

namespace dubhost {

std::string utc_timestamp();

}  // namespace dubhost
