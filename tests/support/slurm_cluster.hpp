// A one-node Slurm cluster of the test's own: munged with its own key and socket, slurmctld and
// slurmd from a generated slurm.conf (loopback, free ports, proctrack/linuxproc, task/none, this
// machine's CPUs), all state in a temporary folder, SLURM_CONF pointing every Slurm command (and
// dubhost's) at it. Started by the constructor, jobs cancelled and daemons stopped by the destructor.
#pragma once

#include "support/spawned_process.hpp"
#include "support/temp_dir.hpp"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace dubhost::test {

class SlurmCluster {
public:
    // Told each thing the cluster needs of the machine, whether it is there and what provides it;
    // returns whether to go on (the tests pass machine_has: a failure in CI, a skip elsewhere).
    using NeedCheck = std::function<bool(bool present, const std::string &need, const std::string &fix)>;
    // When the machine cannot run one (no slurm-wlm or munge, not root), `need` is told and the
    // cluster is not ready().
    explicit SlurmCluster(const NeedCheck &need);
    ~SlurmCluster();
    SlurmCluster(const SlurmCluster &) = delete;
    SlurmCluster &operator=(const SlurmCluster &) = delete;

    bool ready() const { return ready_; }
    // The daemons' logs, for a failing test's message.
    std::string logs() const;

private:
    void start(const std::vector<std::string> &argv, const std::string &log);
    bool wait_until_idle();

    TempDir dir_{"dubhost-slurm"};
    std::vector<std::unique_ptr<SpawnedProcess>> daemons_;  // in the order they started
    bool ready_ = false;
};

}  // namespace dubhost::test
