// `dubhost doctor`: can this machine dub, and what to do if not.
#include "commands.hpp"

#include "dubhost/host/backend_selection.hpp"
#include "dubhost/host/doctor_report.hpp"
#include "dubhost/host/paths.hpp"
#include "pack_summary.hpp"

#include <CLI/CLI.hpp>

#include <iomanip>
#include <iostream>
#include <sstream>

namespace dubhost::cli {
namespace {

std::string human_bytes(std::uint64_t bytes) {
    static constexpr const char *units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double value = static_cast<double>(bytes);
    std::size_t unit = 0;
    while (value >= 1024 && unit + 1 < std::size(units)) {
        value /= 1024;
        ++unit;
    }
    std::ostringstream out;
    out << std::fixed << std::setprecision(unit == 0 ? 0 : 1) << value << " " << units[unit];
    return out.str();
}

void print_report(const nlohmann::json &report) {
    std::cout << "dubhost " << report["version"]["dubhost"].get<std::string>() << " (plugin ABI "
              << report["version"]["plugin_abi"].get<std::string>() << ")\n\n";
    const auto &workspace = report["workspace"];
    std::cout << "Workspace: " << workspace["path"].get<std::string>()
              << (workspace["exists"].get<bool>() ? "" : "  (not created yet; `dubhost import FILE` creates it)") << "\n";
    for (const auto &[part, bytes] : workspace["disk_bytes"].items())
        std::cout << "  " << std::left << std::setw(11) << part << human_bytes(bytes.get<std::uint64_t>()) << "\n";

    std::cout << "\nPlugins: " << report["plugins"]["loaded"].size() << " loaded, " << report["plugins"]["rejected"].size()
              << " rejected\n";
    for (const auto &plugin : report["plugins"]["loaded"])
        std::cout << "  " << plugin["id"].get<std::string>() << " " << plugin["version"].get<std::string>() << "\n";
    for (const auto &rejected : report["plugins"]["rejected"])
        std::cout << "  rejected " << rejected["path"].get<std::string>() << ": " << rejected["state"].get<std::string>() << "\n";

    std::cout << "\nBackends:\n";
    for (const auto &choice : report["backends"])
        std::cout << "  " << std::left << std::setw(10) << choice["capability"].get<std::string>()
                  << (choice["selected"].is_null() ? std::string("none") : choice["selected"].get<std::string>()) << "  ("
                  << choice["reason"].get<std::string>() << ")\n";

    std::cout << "\nPacks (Python backends, optional):\n";
    if (report["packs"].empty()) std::cout << "  no pack-backed plugin is installed\n";
    for (const auto &pack : report["packs"]) print_pack_summary(std::cout, pack, "  ");

    std::cout << "\nPython interpreters:\n";
    if (report["python"].empty()) std::cout << "  none found\n";
    for (const auto &python : report["python"]) {
        std::cout << "  " << python["path"].get<std::string>() << "  ";
        if (python["runs"].get<bool>())
            std::cout << python["version"].get<std::string>() << (python["venv"].get<bool>() ? ", venv ok" : "");
        const std::string problem = python["problem"].get<std::string>();
        if (!problem.empty()) std::cout << (python["runs"].get<bool>() ? "; " : "") << problem;
        std::cout << "\n";
    }

    std::cout << "\nChecks:\n";
    for (const auto &item : report["checks"]) {
        std::cout << "  [" << (item["ok"].get<bool>() ? "ok" : "!!") << "] " << item["message"].get<std::string>() << "\n";
        const std::string hint = item["hint"].get<std::string>();
        if (!hint.empty()) std::cout << "       next: " << hint << "\n";
    }
}

}  // namespace

void add_doctor_command(CLI::App &app, CliContext &context, Action &action) {
    auto *doctor = app.add_subcommand("doctor", "Check plugins, backends, packs, Python and disk use, and say what to fix");
    doctor->add_flag("--json", context.options.json, "Print the report as JSON");
    doctor->callback([&context, &action] {
        action = [&context] {
            const auto choices = choose_backends(context.registry(), context.services(), load_machine_profile(profile_path()));
            const DoctorInputs inputs{std::filesystem::absolute(context.workspace_path()), &context.registry(), &choices,
                                      &context.services()};
            const auto report = build_doctor_report(inputs);
            if (context.options.json)
                CliContext::print_json(report);
            else
                print_report(report);
        };
    });
}

}  // namespace dubhost::cli
