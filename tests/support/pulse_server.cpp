#include "pulse_server.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QThread>

#include <cerrno>
#include <cmath>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

namespace charla::test {

namespace {

// Starts `program` (searched in PATH) with its stdout and stderr going to `outFd`; the kernel
// kills it if this thread dies first. fork() + exec rather than QProcess: Qt 6.4 starts children
// with a vfork-like clone(CLONE_VM) that ThreadSanitizer's clone interceptor (gcc 12 and
// clang 14) mishandles, leaving the parent's main thread with its locks unseen (false races on
// every mutex it takes later) or crashing it (docs/testing.md).
pid_t spawn(const QString& program, const QStringList& args, int outFd) {
    std::vector<std::string> strings{program.toStdString()};
    for (const auto& a : args)
        strings.push_back(a.toStdString());
    std::vector<char*> argv;
    for (auto& s : strings)
        argv.push_back(s.data());
    argv.push_back(nullptr);
    const pid_t pid = ::fork();
    if (pid == 0) {
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        ::dup2(outFd, STDOUT_FILENO);
        ::dup2(outFd, STDERR_FILENO);
        ::execvp(argv[0], argv.data());
        ::_exit(127);
    }
    return pid;
}

// Waits up to `timeoutMs` for `pid`; returns its exit code, or -2 (killed after the timeout) or
// -3 (ended by a signal).
int waitFor(pid_t pid, int timeoutMs) {
    int status = 0;
    for (int waited = 0;; waited += 10) {
        const pid_t r = ::waitpid(pid, &status, WNOHANG);
        if (r == pid)
            return WIFEXITED(status) ? WEXITSTATUS(status) : -3;
        if (r < 0)
            return -1;
        if (waited >= timeoutMs) {
            ::kill(pid, SIGKILL);
            ::waitpid(pid, &status, 0);
            return -2;
        }
        QThread::msleep(10);
    }
}

// Runs a command with the server's environment; returns its exit code, output in *out.
int run(const QString& program, const QStringList& args, QString* out = nullptr,
        int timeoutMs = 10000) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0)
        return -1;
    const pid_t pid = spawn(program, args, fds[1]);
    ::close(fds[1]);
    if (pid < 0) {
        ::close(fds[0]);
        return -1;
    }
    // The commands print little; read until the child closes its end, then reap it.
    QByteArray output;
    char buf[4096];
    pollfd pfd{fds[0], POLLIN, 0};
    for (int waited = 0; waited < timeoutMs;) {
        const int ready = ::poll(&pfd, 1, 100);
        waited += 100;
        if (ready <= 0)
            continue;
        const ssize_t n = ::read(fds[0], buf, sizeof buf);
        if (n <= 0)
            break;
        output.append(buf, static_cast<int>(n));
    }
    ::close(fds[0]);
    const int code = waitFor(pid, 1000);
    if (out)
        *out = QString::fromLocal8Bit(output);
    return code;
}

bool running(pid_t pid) {
    int status = 0;
    return ::waitpid(pid, &status, WNOHANG) == 0;
}

} // namespace

PulseServer::PulseServer() {
    QTemporaryDir tmp(QDir::tempPath() + "/charla-pulse-XXXXXX");
    tmp.setAutoRemove(false);
    if (!tmp.isValid()) {
        error_ = "cannot create a runtime directory";
        return;
    }
    dir_ = tmp.path().toStdString();
    ::chmod(dir_.c_str(), 0700);
    const std::string runtime = dir_ + "/pulse";
    ::mkdir(runtime.c_str(), 0700);
    qputenv("XDG_RUNTIME_DIR", QByteArray::fromStdString(dir_));
    qputenv("PULSE_RUNTIME_PATH", QByteArray::fromStdString(runtime));
    qputenv("PULSE_STATE_PATH", QByteArray::fromStdString(dir_ + "/state"));
    qunsetenv("PULSE_SERVER");

    // Not daemonised: a child that the kernel kills if this process dies first (PDEATHSIG), so
    // that not even a test killed by ctest's timeout leaves a server behind. Its output goes to a
    // log file, read if it exits.
    const std::string log = dir_ + "/pulseaudio.log";
    const int logFd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (logFd < 0) {
        error_ = "cannot create " + log;
        return;
    }
    pid_ =
        spawn("pulseaudio",
              {"--daemonize=no", "--exit-idle-time=-1", "-n", "--load=module-native-protocol-unix",
               "--load=module-null-sink sink_name=nullsink",
               "--load=module-sine-source frequency=440 source_name=tone"},
              logFd);
    ::close(logFd);
    if (pid_ < 0) {
        error_ = std::string("cannot run pulseaudio: ") + std::strerror(errno);
        return;
    }
    QString out;
    bool ready = false;
    for (int i = 0; i < 100 && !ready; ++i) {
        if (!running(pid_)) {
            QFile file(QString::fromStdString(log));
            file.open(QIODevice::ReadOnly);
            error_ = "pulseaudio exited: " +
                     QString::fromLocal8Bit(file.readAll()).trimmed().toStdString();
            pid_ = -1;
            return;
        }
        ready = run("pactl", {"info"}, &out, 2000) == 0;
        if (!ready)
            QThread::msleep(50);
    }
    if (!ready) {
        error_ = "pulseaudio does not answer: " + out.trimmed().toStdString();
        return;
    }
    // module-sine-source alone hands an ALSA-plugin client (PortAudio) its audio in 2-second
    // blocks (its configured latency stays at the 2 s maximum), nothing like a microphone. Played
    // through module-loopback (20 ms) into a second null sink, its monitor delivers the tone
    // paced like a real device: that monitor is the default source.
    for (const auto& args : {QStringList{"load-module", "module-null-sink", "sink_name=micsink"},
                             QStringList{"load-module", "module-loopback", "source=tone",
                                         "sink=micsink", "latency_msec=20"},
                             QStringList{"set-default-source", "micsink.monitor"},
                             QStringList{"set-default-sink", "nullsink"}}) {
        if (run("pactl", args, &out) != 0) {
            error_ = "pactl " + args.join(' ').toStdString() + " failed: " + out.toStdString();
            return;
        }
    }
}

PulseServer::~PulseServer() {
    if (pid_ > 0 && running(pid_)) {
        ::kill(pid_, SIGTERM);
        waitFor(pid_, 3000); // SIGKILL after 3 s
    }
    if (!dir_.empty())
        QDir(QString::fromStdString(dir_)).removeRecursively();
}

std::vector<short> PulseServer::recordSink(double seconds, std::string* error) const {
    const QString file = QString::fromStdString(dir_ + "/sink.raw");
    QFile::remove(file);
    // parecord runs until stopped: `timeout` stops it cleanly with SIGINT.
    QString out;
    run("timeout",
        {"-s", "INT", QString::number(seconds, 'f', 2), "parecord", "--device=nullsink.monitor",
         "--rate=48000", "--channels=1", "--format=s16le", "--raw", file},
        &out, static_cast<int>(seconds * 1000) + 10000);
    std::vector<short> samples;
    std::ifstream in(file.toStdString(), std::ios::binary);
    short s;
    while (in.read(reinterpret_cast<char*>(&s), sizeof s))
        samples.push_back(s);
    if (samples.empty() && error)
        *error = "parecord recorded nothing: " + out.toStdString();
    return samples;
}

ToneFigures analyseTone(const std::vector<short>& samples) {
    constexpr std::size_t kBlock = 480; // 10 ms
    constexpr double kSilentRms = 300;  // well below the sine source, well above the noise floor
    ToneFigures f;
    int crossings = 0;
    double sum = 0;
    std::size_t sounding = 0;
    for (std::size_t start = 0; start + kBlock <= samples.size(); start += kBlock) {
        double blockSum = 0;
        int blockCrossings = 0;
        for (std::size_t i = start; i < start + kBlock; ++i) {
            blockSum += double(samples[i]) * samples[i];
            if (i > start && (samples[i - 1] < 0) != (samples[i] < 0))
                ++blockCrossings;
        }
        if (std::sqrt(blockSum / kBlock) < kSilentRms)
            continue;
        sum += blockSum;
        crossings += blockCrossings;
        sounding += kBlock;
    }
    if (sounding == 0)
        return f;
    f.soundingSeconds = static_cast<double>(sounding) / 48000.0;
    f.rms = std::sqrt(sum / static_cast<double>(sounding));
    // Crossings inside blocks: kBlock - 1 gaps per block of kBlock samples.
    f.hz = crossings / 2.0 / (static_cast<double>(sounding) * (kBlock - 1) / kBlock / 48000.0);
    return f;
}

} // namespace charla::test
