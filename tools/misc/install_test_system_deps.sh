#!/usr/bin/env bash
# System packages some tests use, installed only where missing (Debian/Ubuntu,
# as root). Without them those tests skip with a reason instead:
#   ffmpeg               shared FFmpeg libraries torchcodec loads
#   chromium             headless browser of the web-demo test (Playwright
#                        drives the system binary; nothing is downloaded)
#   default-jre-headless Java for the PTB tokenizer and METEOR
#                        (pycocoevalcap)
set -u
missing=()
command -v ffmpeg >/dev/null 2>&1 || missing+=(ffmpeg)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v java >/dev/null 2>&1 || missing+=(default-jre-headless)
[ ${#missing[@]} -eq 0 ] && exit 0
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    echo "installing system packages: ${missing[*]}"
    apt-get update -qq >/dev/null && \
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
        "${missing[@]}" >/dev/null \
        || echo "warning: could not install ${missing[*]}; their tests skip"
else
    echo "note: ${missing[*]} missing (no root apt-get); their tests skip"
fi
exit 0
