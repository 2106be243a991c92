"""The encode stage: a timeline's PCM in, a tagged episode file out.

- ``mp3``: streaming CBR MP3 through LAME, with a Xing/LAME Info frame; ``parallel`` encodes
  stretches on every core and joins them where both encodings hold only silence.
- ``bitstream``: MP3 frame headers, the Info frame and the bit reservoir; ``crc16`` its checksum.
- ``opus``: Ogg Opus, the other episode format; ``formats``: what each format needs of the mix.
- ``tag``: ID3v2.3 tags with CHAP/CTOC chapters, and the reader that checks them.

The package imports nothing itself, so a command that needs one module loads only that one.
"""
