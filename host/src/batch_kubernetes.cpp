// The Kubernetes Indexed Job for a batch (batch_engines.hpp). Written as YAML whose every string is
// a double-quoted scalar with JSON escapes (valid YAML), so no path or name can change its shape.
#include "dubhost/host/batch_engines.hpp"

#include <dubhost/support/error.hpp>

#include <algorithm>
#include <cctype>

namespace dubhost {
namespace fs = std::filesystem;
namespace {

std::string quoted(const std::string &text) { return nlohmann::json(text).dump(); }

// The deepest folder that holds every path.
fs::path common_folder(const std::vector<fs::path> &paths) {
    fs::path common = paths.front();
    for (const auto &path : paths) {
        fs::path shared;
        auto a = common.begin(), b = path.begin();
        for (; a != common.end() && b != path.end() && *a == *b; ++a, ++b) shared /= *a;
        common = shared;
    }
    return common;
}

// A Kubernetes object name (RFC 1123 label): lower-case letters, digits and '-', at most 63.
std::string job_name(const fs::path &dir) {
    std::string name = "dubhost-";
    for (unsigned char c : dir.filename().string()) name += std::isalnum(c) ? static_cast<char>(std::tolower(c)) : '-';
    name = name.substr(0, 63);
    while (!name.empty() && name.back() == '-') name.pop_back();
    return name;
}

}  // namespace

std::string kubernetes_indexed_job(const BatchFolder &batch, const KubernetesOptions &options) {
    if (options.image.empty() || options.claim.empty())
        throw user_error("bad-option", "a Kubernetes job needs the image to run and the claim that holds the batch",
                         "pass --image IMAGE (with dubhost installed) and --claim PVC");
    fs::path mount = options.mount_path;
    if (mount.empty()) {
        std::vector<fs::path> paths = {batch.dir()};
        for (const auto &row : batch.rows()) {
            paths.push_back(row.video.parent_path());
            paths.push_back(row.output.parent_path());
            if (row.subtitles) paths.push_back(row.subtitles->parent_path());
        }
        mount = common_folder(paths);
        if (mount == mount.root_path())
            throw user_error("no-common-folder",
                             "the batch folder, inputs and outputs are not under one folder other than /, so one claim "
                             "cannot hold them all at the same paths",
                             "put them on the shared volume under one folder, or pass --mount-path");
    }
    const std::size_t tasks = batch.rows().size();
    const unsigned parallelism =
        options.parallelism > 0 ? options.parallelism : static_cast<unsigned>(std::min<std::size_t>(tasks, 4));
    std::string resources = "            requests:\n              cpu: " + quoted(std::to_string(options.cpus_per_task)) + "\n";
    if (!options.mem.empty()) resources += "              memory: " + quoted(options.mem) + "\n";
    // Each index runs once (backoffLimitPerIndex 0): a failed dub fails the same way again, and the
    // batch folder says why. A finished task is a no-op, so applying the job again runs what is left.
    return "# Written by `dubhost batch kubernetes`: one pod per task of the batch in " + batch.dir().string() +
           ".\n# kubectl apply -f this file; dubhost batch status " + batch.dir().string() +
           " shows the tasks (docs/batch.md).\n"
           "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: " +
           quoted(job_name(batch.dir())) + "\nspec:\n  completionMode: Indexed\n  completions: " + std::to_string(tasks) +
           "\n  parallelism: " + std::to_string(parallelism) +
           "\n  backoffLimitPerIndex: 0\n  maxFailedIndexes: " + std::to_string(tasks) +
           "\n  template:\n    spec:\n      restartPolicy: Never\n      containers:\n        - name: dubhost\n          image: " +
           quoted(options.image) + "\n          command: [\"dubhost\", \"batch\", \"run-task\", " + quoted(batch.dir().string()) +
           ", \"--index\", \"$(JOB_COMPLETION_INDEX)\", \"--quiet\"]\n"
           "          env:\n            - name: JOB_COMPLETION_INDEX\n              valueFrom:\n                fieldRef:\n"
           "                  fieldPath: \"metadata.annotations['batch.kubernetes.io/job-completion-index']\"\n"
           "          resources:\n" +
           resources + "          volumeMounts:\n            - name: batch\n              mountPath: " + quoted(mount.string()) +
           "\n      volumes:\n        - name: batch\n          persistentVolumeClaim:\n            claimName: " +
           quoted(options.claim) + "\n";
}

}  // namespace dubhost
