// The test's own Slurm cluster (slurm_cluster.hpp). The daemons run in the foreground as children
// of the test, so the fixture stops them itself (SIGTERM, then SIGKILL) and no init script is used.
#include "support/slurm_cluster.hpp"

#include <dubhost/support/process.hpp>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <random>
#include <thread>

namespace dubhost::test {
namespace fs = std::filesystem;
namespace {

// A TCP port nobody listens on now (the kernel's pick for port 0).
int free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    ::bind(fd, reinterpret_cast<sockaddr *>(&address), sizeof address);
    ::getsockname(fd, reinterpret_cast<sockaddr *>(&address), &length);
    ::close(fd);
    return ntohs(address.sin_port);
}

std::string host_name() {
    char name[256] = {};
    ::gethostname(name, sizeof name - 1);
    std::string text = name;
    return text.substr(0, text.find('.'));
}

bool installed(const std::vector<std::string> &programs) {
    for (const auto &program : programs)
        if (!fs::exists("/usr/sbin/" + program) && !fs::exists("/usr/bin/" + program)) return false;
    return true;
}

}  // namespace

void SlurmCluster::start(const std::vector<std::string> &argv, const std::string &log) {
    daemons_.push_back(std::make_unique<SpawnedProcess>(argv, dir_ / log));
}

bool SlurmCluster::wait_until_idle() {
    for (int i = 0; i < 300; ++i) {
        const auto state = run_process({"sinfo", "--noheader", "--format=%t"}, std::chrono::seconds(10));
        if (state.succeeded() && state.out.find("idle") != std::string::npos) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
}

SlurmCluster::SlurmCluster(const NeedCheck &need) {
    if (!need(installed({"munged", "slurmctld", "slurmd", "sbatch", "squeue", "scancel", "sinfo"}),
              "Slurm and munge for a test cluster", "packaging/install-deps.sh (installs slurm-wlm and munge)") ||
        !need(::geteuid() == 0, "root to start slurmd", "run it as root (CI does)"))
        return;
    fs::create_directories(dir_ / "state");
    fs::create_directories(dir_ / "spool");
    {
        std::random_device random;
        std::ofstream key(dir_ / "munge.key", std::ios::binary);
        for (int i = 0; i < 1024; ++i) key.put(static_cast<char>(random() & 0xff));
    }
    fs::permissions(dir_ / "munge.key", fs::perms::owner_read);
    const std::string socket = (dir_ / "munge.sock").string();
    const std::string host = host_name();
    const unsigned cpus = std::max(1u, std::thread::hardware_concurrency());
    std::ofstream conf(dir_ / "slurm.conf");
    conf << "ClusterName=dubhosttest\nSlurmctldHost=" << host << "(127.0.0.1)\n"
         << "SlurmctldPort=" << free_port() << "\nSlurmdPort=" << free_port() << "\n"
         << "SlurmUser=root\nSlurmdUser=root\nAuthType=auth/munge\nCredType=cred/munge\nAuthInfo=socket=" << socket << "\n"
         << "StateSaveLocation=" << (dir_ / "state").string() << "\nSlurmdSpoolDir=" << (dir_ / "spool").string() << "\n"
         << "SlurmctldPidFile=" << (dir_ / "slurmctld.pid").string() << "\nSlurmdPidFile=" << (dir_ / "slurmd.pid").string()
         << "\n"
         << "ProctrackType=proctrack/linuxproc\nTaskPlugin=task/none\nJobAcctGatherType=jobacct_gather/none\n"
         << "AccountingStorageType=accounting_storage/none\nJobCompType=jobcomp/none\nMpiDefault=none\nMailProg=/bin/true\n"
         << "SchedulerType=sched/backfill\nSelectType=select/cons_tres\nSelectTypeParameters=CR_CPU\n"
         << "ReturnToService=2\nKillWait=5\nMinJobAge=300\n"
         << "NodeName=" << host << " NodeAddr=127.0.0.1 CPUs=" << cpus << " State=UNKNOWN\n"
         << "PartitionName=test Nodes=ALL Default=YES MaxTime=INFINITE State=UP\n";
    conf.close();
    ::setenv("SLURM_CONF", (dir_ / "slurm.conf").c_str(), 1);

    start({"/usr/sbin/munged", "--foreground", "--force", "--socket=" + socket, "--key-file=" + (dir_ / "munge.key").string(),
           "--log-file=" + (dir_ / "munged.log").string(), "--pid-file=" + (dir_ / "munged.pid").string(),
           "--seed-file=" + (dir_ / "munged.seed").string()},
          "munged.out");
    for (int i = 0; i < 100 && !fs::exists(socket); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    const std::string conf_path = (dir_ / "slurm.conf").string();
    start({"/usr/sbin/slurmctld", "-D", "-i", "-f", conf_path}, "slurmctld.log");
    start({"/usr/sbin/slurmd", "-D", "-f", conf_path}, "slurmd.log");
    ready_ = wait_until_idle();
}

SlurmCluster::~SlurmCluster() {
    if (ready_) run_process({"scancel", "--quiet", "--user=root"}, std::chrono::seconds(20));
    // Jobs get KillWait (5 s) to end before their steps are killed; the daemons go after.
    for (int i = 0; ready_ && i < 100; ++i) {
        const auto left = run_process({"squeue", "--noheader"}, std::chrono::seconds(10));
        if (!left.succeeded() || left.out.empty()) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    for (auto it = daemons_.rbegin(); it != daemons_.rend(); ++it) (*it)->stop(std::chrono::seconds(5));
    ::unsetenv("SLURM_CONF");
}

std::string SlurmCluster::logs() const {
    std::string text;
    for (const char *name : {"slurmctld.log", "slurmctld.log.err", "slurmd.log", "slurmd.log.err", "munged.log"})
        text += std::string("== ") + name + "\n" + read_file(dir_ / name) + "\n";
    return text;
}

}  // namespace dubhost::test
