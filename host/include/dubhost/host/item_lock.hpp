// One dubhost process at a time per item. Two processes may work on different items of one
// workspace side by side (SQLite's busy timeout serialises their short writes); two on the same
// item would remove each other's partial files and scratch folders, so the second is told the item
// is busy, by whom, and what to do.
#pragma once

#include <filesystem>
#include <string>

namespace dubhost {

class ItemLock {
public:
    // Takes `<item folder>/.lock` (flock, released when this object or the process ends, also by
    // kill -9). Throws a user Failure with code "item-busy" naming the holder's pid when another
    // process has it.
    ItemLock(const std::filesystem::path &item_folder, const std::string &item_id);
    ~ItemLock();
    ItemLock(const ItemLock &) = delete;
    ItemLock &operator=(const ItemLock &) = delete;

private:
    int fd_ = -1;
};

}  // namespace dubhost
