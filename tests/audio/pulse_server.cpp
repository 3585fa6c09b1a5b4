#include "pulse_server.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QThread>

#include <cmath>
#include <csignal>
#include <fstream>
#include <sys/prctl.h>
#include <sys/stat.h>

namespace charla::test {

namespace {

// Runs a command with the server's environment; returns its exit code, output in *out.
int run(const QString& program, const QStringList& args, QString* out = nullptr,
        int timeoutMs = 10000) {
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(program, args);
    if (!p.waitForStarted(timeoutMs))
        return -1;
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished();
        return -2;
    }
    if (out)
        *out = QString::fromLocal8Bit(p.readAll());
    return p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -3;
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
    // that not even a test killed by ctest's timeout leaves a server behind.
    process_ = std::make_unique<QProcess>();
    process_->setProcessChannelMode(QProcess::MergedChannels);
    process_->setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGKILL); });
    process_->start("pulseaudio", {"--daemonize=no", "--exit-idle-time=-1", "-n",
                                   "--load=module-native-protocol-unix",
                                   "--load=module-null-sink sink_name=nullsink",
                                   "--load=module-sine-source frequency=440 source_name=tone"});
    if (!process_->waitForStarted(5000)) {
        error_ = "cannot run pulseaudio: " + process_->errorString().toStdString();
        return;
    }
    pid_ = static_cast<int>(process_->processId());
    QString out;
    bool ready = false;
    for (int i = 0; i < 100 && !ready; ++i) {
        if (process_->state() != QProcess::Running) {
            error_ = "pulseaudio exited: " +
                     QString::fromLocal8Bit(process_->readAll()).trimmed().toStdString();
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
    if (process_ && process_->state() != QProcess::NotRunning) {
        ::kill(pid_, SIGTERM);
        if (!process_->waitForFinished(3000)) {
            process_->kill();
            process_->waitForFinished(3000);
        }
    }
    process_.reset();
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
    ToneFigures f;
    if (samples.size() < 2)
        return f;
    int crossings = 0;
    double sum = 0;
    for (std::size_t i = 0; i < samples.size(); ++i) {
        sum += double(samples[i]) * samples[i];
        if (i > 0 && (samples[i - 1] < 0) != (samples[i] < 0))
            ++crossings;
    }
    f.rms = std::sqrt(sum / static_cast<double>(samples.size()));
    f.hz = crossings / 2.0 / (static_cast<double>(samples.size()) / 48000.0);
    return f;
}

} // namespace charla::test
