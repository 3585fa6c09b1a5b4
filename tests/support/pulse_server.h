// A private PulseAudio server for one test process: its own runtime directory, a null sink
// ("nullsink", the default sink) and a 440 Hz sine source ("tone") that reaches PortAudio as the
// default source "micsink.monitor", paced like a microphone (see the constructor). PortAudio
// reaches it through ALSA's pulse plugin, which reads PULSE_RUNTIME_PATH from the environment:
// construct the server before anything initialises PortAudio. The destructor kills the server
// by its PID (also when the test failed) and removes the directory; if the test process dies
// first, the kernel kills the server with it.
#pragma once

#include <QtGlobal>

#include <memory>
#include <string>
#include <vector>

namespace charla::test {

class PulseServer {
public:
    PulseServer();
    ~PulseServer();
    Q_DISABLE_COPY(PulseServer) // one server, killed once

    bool ok() const { return pid_ > 0 && error_.empty(); }
    const std::string& error() const { return error_; }
    int pid() const { return pid_; }

    // Records `seconds` of what reaches the null sink; returns mono 48 kHz samples.
    std::vector<short> recordSink(double seconds, std::string* error) const;

private:
    std::string dir_;
    std::string error_;
    int pid_ = -1;
};

// A recording's tone, measured over its sounding 10 ms blocks only (48 kHz mono): silence before
// the stream reaches the sink, or a gap when a loaded machine underruns, neither halves the
// frequency nor counts as sound.
struct ToneFigures {
    double hz = 0;
    double rms = 0;
    double soundingSeconds = 0;
};
ToneFigures analyseTone(const std::vector<short>& samples);

} // namespace charla::test
