// The base of GoogleTest fixtures whose tests open sound devices: each test gets its own private
// PulseAudio server (pulse_server.h), or is skipped with the reason where none can start. A
// fixture's own SetUp() calls this one first and returns if IsSkipped().
#pragma once

#include "pulse_server.h"

#include <gtest/gtest.h>

#include <memory>

namespace charla::test {

class SoundServerTest : public ::testing::Test {
protected:
    void SetUp() override {
        pulse_ = std::make_unique<PulseServer>();
        if (!pulse_->ok())
            GTEST_SKIP() << "no sound server: " << pulse_->error();
    }
    void TearDown() override { pulse_.reset(); } // kills the server, also after a failure

    std::unique_ptr<PulseServer> pulse_;
};

} // namespace charla::test
