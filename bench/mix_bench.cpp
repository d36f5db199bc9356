// Benchmark (not a test): the FFmpeg plugin's single-pass dub mix against the ffmpeg program doing
// the same work in one filter_complex (the peer), in the same run, on real recordings.
// 10, 100 and 1000 segments over a 10-minute background; prints wall time and peak memory of each.
//   dubhost_mix_bench [--minutes M] [--sizes 10,100,1000]
#include "dubhost/host/backend_call.hpp"
#include "dubhost/host/plugin_registry.hpp"

#include "audio_reader.hpp"
#include "wav_writer.hpp"

#include <nlohmann/json.hpp>
#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

extern char **environ;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

const std::string sample_video = "/usr/share/forensics-samples/original-files/movie2/movie-hello.mp4";
const std::string librivox = "/usr/share/pocketsphinx/test/data/librivox/sense_and_sensibility_01_austen_64kb-";
const std::vector<std::string> clips = {librivox + "0870.wav", librivox + "0880.wav", librivox + "0890.wav",
                                        librivox + "0920.wav", librivox + "0930.wav"};

struct Measured {
    double seconds = 0;
    long peak_kib = 0;
    int exit_code = -1;
};

// Runs argv as a child and reports its wall time and peak resident memory (from wait4).
Measured measure(const std::vector<std::string> &argv) {
    std::vector<char *> args;
    for (const auto &arg : argv) args.push_back(const_cast<char *>(arg.c_str()));
    args.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    const auto start = std::chrono::steady_clock::now();
    pid_t pid = -1;
    const int spawned = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    Measured result;
    if (spawned != 0) return result;
    int status = 0;
    rusage usage{};
    wait4(pid, &status, 0, &usage);
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    result.peak_kib = usage.ru_maxrss;
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return result;
}

// A long background from real audio: the sample clip's sound track, repeated.
void make_background(const fs::path &path, double minutes) {
    std::vector<float> loop;
    {
        dubhost::ffmpeg::AudioReader reader(sample_video, 48000, 2);
        std::vector<float> block(48000 * 2);
        while (std::size_t got = reader.read(block.data(), 48000))
            loop.insert(loop.end(), block.begin(), block.begin() + static_cast<long>(got * 2));
    }
    dubhost::ffmpeg::WavWriter out(path, 48000, 2, dubhost::ffmpeg::WavWriter::Encoding::pcm16);
    const auto total = static_cast<std::uint64_t>(minutes * 60 * 48000);
    while (out.frames_written() < total)
        out.write(loop.data(), std::min<std::uint64_t>(loop.size() / 2, total - out.frames_written()));
    out.commit();
}

std::vector<std::int64_t> clip_lengths_ms() {
    std::vector<std::int64_t> lengths;
    for (const auto &clip : clips) {
        dubhost::ffmpeg::AudioDecoder decoder(clip);
        lengths.push_back(static_cast<std::int64_t>(decoder.declared_duration_seconds() * 1000));
    }
    return lengths;
}

// N segments spread over the background; windows 10% shorter than the clips, so every one is fitted.
json manifest_for(int count, double minutes, const std::vector<std::int64_t> &lengths) {
    json segments = json::array();
    const double spacing = minutes * 60000 / count;
    for (int i = 0; i < count; ++i) {
        const auto start = static_cast<std::int64_t>(i * spacing);
        const std::int64_t length = lengths[static_cast<std::size_t>(i) % clips.size()];
        segments.push_back({{"segment_id", i},
                            {"path", clips[static_cast<std::size_t>(i) % clips.size()]},
                            {"start", start},
                            {"end", start + length * 9 / 10},
                            {"duration", length}});
    }
    return {{"backend", "bench"}, {"segments", segments}};
}

// The same job for the ffmpeg program: delay every segment into place, speed each up to fit,
// sum them, duck the background with the speech as side chain, mix, normalise.
std::vector<std::string> peer_command(const json &manifest, const fs::path &background, const fs::path &output) {
    std::vector<std::string> argv = {"ffmpeg", "-v", "error", "-y", "-i", background.string()};
    for (const auto &clip : clips) argv.insert(argv.end(), {"-i", clip});
    std::vector<std::vector<int>> uses(clips.size());
    const auto &segments = manifest["segments"];
    for (std::size_t i = 0; i < segments.size(); ++i) uses[i % clips.size()].push_back(static_cast<int>(i));
    std::ostringstream graph;
    for (std::size_t c = 0; c < clips.size(); ++c) {
        if (uses[c].empty()) continue;
        graph << "[" << c + 1 << ":a]aresample=48000,aformat=channel_layouts=stereo,asplit=" << uses[c].size();
        for (int i : uses[c]) graph << "[u" << i << "]";
        graph << ";";
    }
    for (std::size_t i = 0; i < segments.size(); ++i) {
        const auto &s = segments[i];
        const double tempo = std::min(1.35, s["duration"].get<double>() / static_cast<double>(s["end"].get<std::int64_t>() -
                                                                                              s["start"].get<std::int64_t>()));
        graph << "[u" << i << "]atempo=" << tempo << ",adelay=" << s["start"].get<std::int64_t>() << ":all=1[s" << i << "];";
    }
    for (std::size_t i = 0; i < segments.size(); ++i) graph << "[s" << i << "]";
    graph << "amix=inputs=" << segments.size() << ":normalize=0:duration=longest,asplit=2[speech][side];";
    graph << "[0:a][side]sidechaincompress=threshold=0.01:ratio=8:attack=80:release=300[ducked];";
    graph << "[ducked][speech]amix=inputs=2:normalize=0:duration=first,loudnorm=I=-16:TP=-1,aresample=48000[out]";
    argv.insert(argv.end(), {"-filter_complex", graph.str(), "-map", "[out]", "-c:a", "pcm_s16le", output.string()});
    return argv;
}

int run_one_mix(const std::string &plugin_dir, const std::string &job_file) {
    std::ifstream in(job_file);
    const json job = json::parse(in);
    dubhost::HostServices services({{"workspace", fs::path(job_file).parent_path().string()}}, "bench");
    const auto registry = dubhost::PluginRegistry::discover({{plugin_dir, "bench"}}, services);
    const auto *mix = registry.find("mix", "ffmpeg");
    if (!mix) return 2;
    const auto outcome = dubhost::call_backend(mix->entry_points(), dubhost::BackendEntry::run, services, job);
    if (!outcome.ok()) std::cerr << outcome.document.dump() << "\n";
    return outcome.ok() ? 0 : 1;
}

}  // namespace

int main(int argc, char **argv) {
    const fs::path self = fs::read_symlink("/proc/self/exe");
    const std::string plugin_dir = (self.parent_path().parent_path() / "lib" / "dubhost" / "plugins").string();
    if (argc == 3 && std::string(argv[1]) == "--one-mix") return run_one_mix(plugin_dir, argv[2]);
    double minutes = 10;
    std::vector<int> sizes = {10, 100, 1000};
    for (int i = 1; i + 1 < argc; i += 2) {
        if (std::string(argv[i]) == "--minutes") minutes = std::stod(argv[i + 1]);
        if (std::string(argv[i]) == "--sizes") {
            sizes.clear();
            std::stringstream list(argv[i + 1]);
            for (std::string item; std::getline(list, item, ',');) sizes.push_back(std::stoi(item));
        }
    }
    const fs::path dir = fs::temp_directory_path() / ("dubhost-mix-bench-" + std::to_string(getpid()));
    fs::create_directories(dir);
    make_background(dir / "background.wav", minutes);
    const auto lengths = clip_lengths_ms();
    std::printf("dub mix benchmark: %.0f-minute background (real audio), LibriVox clips as segments\n", minutes);
    std::printf("%9s | %12s %12s | %12s %12s | %s\n", "segments", "dubhost s", "dubhost MiB", "ffmpeg s", "ffmpeg MiB",
                "verdict");
    for (int count : sizes) {
        const json manifest = manifest_for(count, minutes, lengths);
        std::ofstream(dir / "manifest.json") << manifest.dump();
        const json job = {
            {"inputs", {{"background", (dir / "background.wav").string()}, {"tts_manifest", (dir / "manifest.json").string()}}},
            {"params", json::object()},
            {"outputs", {{"mix", (dir / "ours.wav").string()}, {"mix_manifest", (dir / "ours.json").string()}}},
            {"work_dir", (dir / "work").string()}};
        std::ofstream(dir / "job.json") << job.dump();
        const Measured ours = measure({self.string(), "--one-mix", (dir / "job.json").string()});
        const Measured peer = measure(peer_command(manifest, dir / "background.wav", dir / "peer.wav"));
        const bool faster = ours.exit_code == 0 && (peer.exit_code != 0 || ours.seconds <= peer.seconds);
        std::printf("%9d | %12.2f %12.1f | %12.2f %12.1f | %s%s\n", count, ours.seconds,
                    static_cast<double>(ours.peak_kib) / 1024.0, peer.seconds, static_cast<double>(peer.peak_kib) / 1024.0,
                    faster ? "dubhost faster" : "ffmpeg faster",
                    ours.exit_code != 0   ? " (dubhost FAILED)"
                    : peer.exit_code != 0 ? " (ffmpeg failed)"
                                          : "");
        std::fflush(stdout);
    }
    if (!std::getenv("DUBHOST_BENCH_KEEP"))
        fs::remove_all(dir);
    else
        std::printf("kept %s\n", dir.c_str());
    return 0;
}
