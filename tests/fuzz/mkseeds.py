#!/usr/bin/env python3
"""tests/fuzz/mkseeds.py: (re)write the seed inputs in tests/fuzz/corpus/.

Each seed is a 12-byte header (see fuzz_console.c) followed by guest bytes.
Run from anywhere: python3 tests/fuzz/mkseeds.py
"""
import os

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")

# ops bits: 1 resize, 2 scroll up, 4 scroll down, 8 search, 16 marker, 32 key,
#           64 draw after chunk 1, 128 scroll reset
def hdr(s1=85, s2=170, ops=0, cols=79, rows=23, amount=8,
        ry=0, rx=0, rh=255, rw=255, term=0, needle=0):
    return bytes([s1, s2, ops, cols, rows, amount, ry, rx, rh, rw, term, needle])

E = b"\x1b"
CSI = E + b"["
OSC = E + b"]"
ST = E + b"\\"

lines = b"".join(b"line %d of the boot log\r\n" % i for i in range(60))

seeds = {
    "plain_text": hdr() + b"Hello, world!\r\nlogin: root\r\nPassword: \r\n# ls -l\r\n",
    "scrollback_search": hdr(ops=2 | 8 | 4 | 64, amount=40, needle=90) + lines,
    "utf8_wide_combining": hdr(s1=3, s2=200) +
        "日本語テキスト 中文 한국어 😀👍🏽 e\u0301 a\u0300\u0301\u0302\u0303 "
        "Z\u0351\u0352\u0353\u0354\u0355\u0356\u0357\u0358\u0359\u035a\u035b\u035c 表\r\n"
        "\uff21\uff22\uff23 ｶﾀｶﾅ\u200b\u200d\ufeff x\r\n".encode(),
    "utf8_wide_at_edge": hdr(ops=1 | 64, cols=9, rows=4, rx=3, rw=6) +
        ("x" * 79).encode() + "漢字".encode() + b"\r\n" + ("y" * 5).encode() + "漢".encode(),
    "sgr_16": hdr(term=1) + b"".join(CSI + b"%dmC%d" % (i, i) for i in list(range(30, 38)) + list(range(90, 98)) + list(range(40, 48)) + list(range(100, 108))) + CSI + b"0;1;4;5;7;3mattrs" + CSI + b"m\r\n",
    "sgr_256": hdr() + b"".join(CSI + b"38;5;%d;48;5;%dm#" % (i, 255 - i) for i in range(0, 256, 7)) + CSI + b"0m\r\n",
    "sgr_truecolor": hdr(term=1) + b"".join(CSI + b"38;2;%d;%d;%d;48:2::%d:%d:%dm@" % (i, 255 - i, i // 2, i // 3, i, 200) for i in range(0, 256, 17)) + CSI + b"0m\r\n",
    "sgr_mono": hdr(term=2) + CSI + b"1;31;44mbold red on blue" + CSI + b"7m inverse" + CSI + b"0m\r\n",
    "deckm_toggle": hdr(ops=32, term=0 * 4) + CSI + b"?1h" + E + b"=" + b"app mode" + CSI + b"?1l" + E + b">" + CSI + b"?1h",
    "osc_title": hdr() + OSC + b"0;evil title\x07" + OSC + b"2;another title" + ST + OSC + b"1;icon\x07after\r\n",
    "osc52_clipboard": hdr() + OSC + b"52;c;cm0gLXJmIH4K\x07" + OSC + b"52;p;?\x07" + OSC + b"52;c;?" + ST + b"text\r\n",
    "title_report": hdr() + OSC + b"2;" + CSI + b"6n;pwn\x07" + CSI + b"21t" + CSI + b"20t" + CSI + b"18t" + CSI + b"14t" + CSI + b"11t",
    "decrqss": hdr() + E + b"P$qm" + ST + E + b"P$q\"p" + ST + E + b"P$qr" + ST + E + b"P+q544e" + ST + CSI + b"?1$p" + CSI + b"1$p",
    "osc8_link": hdr() + OSC + b"8;;http://example.com/\x07link text" + OSC + b"8;;\x07 " + OSC + b"8;id=1;file:///etc/passwd" + ST + b"x" + OSC + b"8;;" + ST + b"\r\n",
    "c1_8bit": hdr(s1=1, s2=2) + b"\x9b6n\x9bc\x9b5n\x9d0;c1 title\x9c\x90$qm\x9c\x9b31mred\x9b0m\x84\x85\x88\x8d\x8e\x8f\x9a\x9b?1h",
    "c1_utf8": hdr() + "\u009b6n\u009d2;t\u009c\u0085\u0090q\u009c".encode() + b"\r\n",
    "invalid_utf8": hdr(s1=7, s2=9) + b"\xc3\x28\xa0\xa1\xe2\x28\xa1\xe2\x82\x28\xf0\x28\x8c\xbc\xf0\x90\x28\xbc\xf8\xa1\xa1\xa1\xa1\xfc\xa1\xa1\xa1\xa1\xa1\xed\xa0\x80\xed\xbf\xbf\xf4\x90\x80\x80\xc0\xaf\xe0\x80\xaf\xff\xfe\r\n",
    "csi_huge_params": hdr(ops=1, cols=199, rows=99) + CSI + b"99999999999999999999999999999A" + CSI + b"99999999999999999999;99999999999999999999H@" + CSI + b"4294967295L" + CSI + b"2147483648P" + CSI + b"-1;-1H" + CSI + b"1;2;3;4;5;6;7;8;9;10;11;12;13;14;15;16;17;18;19;20m" + CSI + b"99999999999@" + CSI + b"99999999999b" + CSI + b"0;99999999999r" + CSI + b"65535;65535H" + CSI + b"6n",
    "bel_flood": hdr() + b"\x07" * 2000,
    "da_dsr_cpr": hdr(s1=1, s2=3) + CSI + b"c" + CSI + b"0c" + CSI + b">c" + CSI + b">0c" + CSI + b"5n" + CSI + b"6n" + CSI + b"?6n" + CSI + b"10;20H" + CSI + b"6n" + E + b"Z",
    "dsr_flood": hdr() + (CSI + b"6n") * 500,
    "enq_answerback": hdr() + b"\x05" + CSI + b"c\x05",
    "alt_screen_scroll_region": hdr(ops=2 | 4 | 16, amount=20) + lines[:600] + CSI + b"?1049h" + CSI + b"5;10r" + CSI + b"H" + b"alt\r\n" * 20 + CSI + b"?1049l" + CSI + b"r" + CSI + b"?47h" + CSI + b"2J" + CSI + b"?47l",
    "modes_misc": hdr(ops=32 | 1, cols=20, rows=5, term=4 * 3) + CSI + b"12l" + CSI + b"4h" + b"ins" + CSI + b"4l" + CSI + b"?7l" + b"x" * 100 + CSI + b"?7h" + CSI + b"?25l" + CSI + b"?5h" + CSI + b"?6h" + CSI + b"20h" + E + b"#8" + E + b"(0lqqk" + E + b"(B" + E + b"c" + CSI + b"!p" + E + b"7" + E + b"8" + E + b"D" + E + b"M" + E + b"E" + E + b"H" + CSI + b"3g" + b"\t\t" + CSI + b"2Z",
    "marker_and_resize": hdr(ops=16 | 1 | 64, cols=3, rows=1) + "wide 漢字 after marker \x1b[31mred".encode(),
    "tiny_pane": hdr(ops=64, ry=23, rx=79, rh=0, rw=0) + "漢".encode() + CSI + b"6n",
}

os.makedirs(HERE, exist_ok=True)
for name, data in seeds.items():
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(data)
print(f"{len(seeds)} seeds in {HERE}")
