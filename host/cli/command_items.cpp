// `dubhost import FILE` and `dubhost items`.
#include "commands.hpp"

#include "dubhost/host/media_prober.hpp"
#include "dubhost/host/record_json.hpp"

#include <CLI/CLI.hpp>

#include <iostream>

namespace dubhost::cli {

void add_item_commands(CLI::App &app, CliContext &context, Action &action) {
    static std::string file;
    static bool link = false;
    auto *import_command = app.add_subcommand("import", "Copy (or --link) a video or audio file into the workspace");
    import_command->add_option("FILE", file, "The media file")->required();
    import_command->add_flag("--link", link, "Keep the file where it is and store a link to it");
    import_command->add_flag("--json", context.options.json,
                             "Print JSON: {\"item_id\": ..., \"already_present\": bool, \"item\": {...}}");
    import_command->callback([&context, &action] {
        action = [&context] {
            // Probing first means a file FFmpeg cannot read is refused before anything is stored.
            const auto prober = prober_from_registry(context.registry(), context.services());
            const auto outcome = context.workspace().import_media(
                file, link ? Workspace::ImportMode::link : Workspace::ImportMode::copy, prober ? &*prober : nullptr);
            if (context.options.json) {
                CliContext::print_json({{"item_id", outcome.item.id},
                                        {"already_present", outcome.already_present},
                                        {"item", item_json(outcome.item)}});
                return;
            }
            if (outcome.already_present)
                std::cout << file << " is already in the workspace as item " << outcome.item.id << "\n";
            else
                std::cout << "imported " << file << " as item " << outcome.item.id << " (" << outcome.item.media_kind << ", "
                          << outcome.item.container << ", " << (outcome.item.linked ? "linked" : "copied") << ")\n";
        };
    });

    auto *items = app.add_subcommand("items", "List the items in the workspace");
    items->add_flag("--json", context.options.json, "Print JSON: {\"items\": [...]}");
    items->callback([&context, &action] {
        action = [&context] {
            const auto all = context.workspace().items();
            if (context.options.json) {
                nlohmann::json list = nlohmann::json::array();
                for (const auto &item : all) list.push_back(item_json(item));
                CliContext::print_json({{"items", list}});
                return;
            }
            if (all.empty()) std::cout << "no items yet: import one with `dubhost import FILE`\n";
            for (const auto &item : all)
                std::cout << item.id << "  " << item.media_kind << "  " << item.original_name << "  (" << item.imported_at
                          << ")\n";
        };
    });
}

}  // namespace dubhost::cli
