// Several real processes doing one thing at the same moment on a shared directory, as two Charla
// instances started together on one data directory do. Each child is forked, prepares (`prepare`,
// e.g. loads a store as an instance does at start), waits until every child is ready, then runs
// `race` at once with the others; each (given its index) returns a line of text the parent gets
// back in order. Children only ever _exit(): no gtest or Qt teardown in them.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include <cerrno>
#include <sys/wait.h>
#include <unistd.h>

namespace charla::test {

inline std::vector<std::string> raceProcesses(int count, const std::function<void(int)>& prepare,
                                              const std::function<std::string(int)>& race) {
    int ready[2], go[2];
    if (::pipe(ready) != 0 || ::pipe(go) != 0) {
        ADD_FAILURE() << "pipe";
        return {};
    }
    std::vector<pid_t> children;
    std::vector<int> results;
    for (int i = 0; i < count; ++i) {
        int result[2];
        if (::pipe(result) != 0) {
            ADD_FAILURE() << "pipe";
            break;
        }
        const pid_t pid = ::fork();
        if (pid == 0) {
            ::close(result[0]);
            ::close(ready[0]);
            ::close(go[1]);
            prepare(i);
            char byte = 'r';
            (void)!::write(ready[1], &byte, 1);
            ::close(ready[1]); // so that a child dying before this does not hang the parent
            // The parent closes its end of `go` once all are ready: every child wakes at once.
            while (::read(go[0], &byte, 1) < 0 && errno == EINTR) {
            }
            const std::string line = race(i);
            (void)!::write(result[1], line.data(), line.size());
            ::_exit(0);
        }
        ::close(result[1]);
        if (pid < 0) {
            ::close(result[0]);
            ADD_FAILURE() << "fork";
            break;
        }
        children.push_back(pid);
        results.push_back(result[0]);
    }
    ::close(ready[1]);
    ::close(go[0]);
    for (std::size_t i = 0; i < children.size(); ++i) {
        char byte = 0;
        while (::read(ready[0], &byte, 1) < 0 && errno == EINTR) {
        }
    }
    ::close(go[1]); // go
    ::close(ready[0]);
    std::vector<std::string> lines;
    for (std::size_t i = 0; i < children.size(); ++i) {
        std::string line;
        char buffer[512];
        ssize_t n = 0;
        while ((n = ::read(results[i], buffer, sizeof buffer)) != 0) {
            if (n > 0)
                line.append(buffer, static_cast<std::size_t>(n));
            else if (errno != EINTR)
                break;
        }
        ::close(results[i]);
        int status = 0;
        ::waitpid(children[i], &status, 0);
        EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "child " << i << " died";
        lines.push_back(line);
    }
    return lines;
}

} // namespace charla::test
