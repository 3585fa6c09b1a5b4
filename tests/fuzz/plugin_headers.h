// The bundled plugins' headers that the dispatch fuzzer and the seed generator use, for the
// plugins this tree builds (CHARLA_FUZZ_TEXT/AUDIO/VIDEO, set in CMakeLists.txt).
#pragma once

#if CHARLA_FUZZ_TEXT
#include "text_chat.h"
#include "text_message.h"
#endif
#if CHARLA_FUZZ_AUDIO
#include "audio_packet.h"
#include "audio_receiver.h"
#include "codec.h"
#endif
#if CHARLA_FUZZ_VIDEO
#include "base64.h"
#include "jpeg_codec.h"
#include "video_wire.h"
#include "vp8_codec.h"
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#endif
