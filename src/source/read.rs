//! Opening an input as a byte stream: plain files, gzip and zstd archives decompressed as streams (never into
//! memory whole, and never past an expansion limit), UTF-16 logs decoded to UTF-8, and standard input.

use super::{Compression, Input, Location};
use std::fs::File;
use std::io::{self, BufReader, Read};

/// How far a compressed input may expand: at most this many times its compressed size (and at least
/// [`MIN_EXPANDED`]). Logs compress 10 to 100 times; a file that expands further is a decompression bomb, and the
/// scan stops reading it with a note instead of spending hours on it.
pub const MAX_EXPANSION: u64 = 1000;
/// The expansion limit never cuts a compressed input below this many decompressed bytes.
pub const MIN_EXPANDED: u64 = 1 << 30;

/// A text encoding other than UTF-8 (or ASCII) that logs are found in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// UTF-8, or anything byte-oriented: read as it is.
    Utf8,
    /// UTF-16, little-endian (Windows tools, PowerShell redirects).
    Utf16Le,
    /// UTF-16, big-endian.
    Utf16Be,
}

impl Encoding {
    /// The encoding of a text that starts with `head`: UTF-16 when it starts with a byte order mark, or when
    /// nearly every second byte of its first 256 code units is a NUL beside printable ASCII (UTF-16 without a
    /// mark); else UTF-8.
    pub fn detect(head: &[u8]) -> Encoding {
        match head {
            [0xff, 0xfe, ..] => return Encoding::Utf16Le,
            [0xfe, 0xff, ..] => return Encoding::Utf16Be,
            _ => {}
        }
        let units: Vec<[u8; 2]> = head.chunks_exact(2).take(256).map(|c| [c[0], c[1]]).collect();
        if units.len() < 16 {
            return Encoding::Utf8;
        }
        let ascii = |b: u8| b == b'\n' || b == b'\r' || b == b'\t' || (0x20..0x7f).contains(&b);
        let le = units.iter().filter(|u| u[1] == 0 && ascii(u[0])).count();
        let be = units.iter().filter(|u| u[0] == 0 && ascii(u[1])).count();
        match (le * 10 >= units.len() * 9, be * 10 >= units.len() * 9) {
            (true, _) => Encoding::Utf16Le,
            (_, true) => Encoding::Utf16Be,
            _ => Encoding::Utf8,
        }
    }
}

/// Opens an input for sequential reading, decompressing and decoding on the fly.
pub fn open_stream(input: &Input) -> io::Result<Box<dyn Read + Send>> {
    open_decoded(input, Encoding::Utf8)
}

/// [`open_stream`], decoding `encoding` to UTF-8.
pub fn open_decoded(input: &Input, encoding: Encoding) -> io::Result<Box<dyn Read + Send>> {
    let (raw, compressed_size): (Box<dyn Read + Send>, u64) = match &input.location {
        Location::Stdin => (Box::new(io::stdin()), 0),
        Location::File(p) | Location::Stream(p) => {
            let f = File::open(p)?;
            let size = f.metadata().map_or(0, |m| m.len());
            (Box::new(f), size)
        }
    };
    let limit = compressed_size.saturating_mul(MAX_EXPANSION).max(MIN_EXPANDED);
    let decompressed: Box<dyn Read + Send> = match input.compression {
        Compression::None => raw,
        Compression::Gzip => {
            Box::new(Limited::new(flate2::read::MultiGzDecoder::new(BufReader::with_capacity(256 * 1024, raw)), limit))
        }
        Compression::Zstd => Box::new(Limited::new(zstd::stream::read::Decoder::new(raw)?, limit)),
    };
    Ok(decode(decompressed, encoding))
}

/// `r` decoded from `encoding` to UTF-8 (as it is for UTF-8).
pub fn decode(r: Box<dyn Read + Send>, encoding: Encoding) -> Box<dyn Read + Send> {
    match encoding {
        Encoding::Utf8 => r,
        e => Box::new(Utf16Reader::new(r, e == Encoding::Utf16Be)),
    }
}

/// A reader that stops with an error once `limit` bytes were read (the expansion limit of a compressed input).
struct Limited<R> {
    inner: R,
    left: u64,
    limit: u64,
}

impl<R: Read> Limited<R> {
    fn new(inner: R, limit: u64) -> Self {
        Limited { inner, left: limit, limit }
    }
}

impl<R: Read> Read for Limited<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.left == 0 {
            // One byte more proves the input goes on (a file of exactly the limit ends cleanly).
            let mut probe = [0u8; 1];
            return match self.inner.read(&mut probe)? {
                0 => Ok(0),
                _ => Err(io::Error::other(format!(
                    "decompressed size limit reached ({} bytes, {MAX_EXPANSION} times the compressed size): the \
                     rest is taken for a decompression bomb",
                    self.limit
                ))),
            };
        }
        let want = buf.len().min(self.left.min(usize::MAX as u64) as usize);
        let n = self.inner.read(&mut buf[..want])?;
        self.left -= n as u64;
        Ok(n)
    }
}

/// UTF-16 decoded to UTF-8 as it is read (the byte order mark dropped, unpaired surrogates replaced).
struct Utf16Reader<R> {
    inner: R,
    big_endian: bool,
    raw: Vec<u8>,
    out: Vec<u8>,
    out_pos: usize,
    first: bool,
    eof: bool,
}

impl<R: Read> Utf16Reader<R> {
    fn new(inner: R, big_endian: bool) -> Self {
        Utf16Reader { inner, big_endian, raw: Vec::new(), out: Vec::new(), out_pos: 0, first: true, eof: false }
    }

    /// Decodes the next piece of input into `out`.
    fn fill(&mut self) -> io::Result<()> {
        let mut chunk = [0u8; 64 * 1024];
        let n = self.inner.read(&mut chunk)?;
        if n == 0 {
            self.eof = true;
        }
        self.raw.extend_from_slice(&chunk[..n]);
        // Whole code units only; keep a high surrogate for the next piece unless the input ended.
        let mut units: Vec<u16> = self
            .raw
            .chunks_exact(2)
            .map(|c| if self.big_endian { u16::from_be_bytes([c[0], c[1]]) } else { u16::from_le_bytes([c[0], c[1]]) })
            .collect();
        let mut used = units.len() * 2;
        if !self.eof && units.last().is_some_and(|u| (0xd800..0xdc00).contains(u)) {
            units.pop();
            used -= 2;
        }
        self.raw.drain(..used);
        if self.first && units.first() == Some(&0xfeff) {
            units.remove(0);
        }
        if !units.is_empty() {
            self.first = false;
        }
        self.out.clear();
        self.out_pos = 0;
        for c in char::decode_utf16(units) {
            let c = c.unwrap_or(char::REPLACEMENT_CHARACTER);
            let mut b = [0u8; 4];
            self.out.extend_from_slice(c.encode_utf8(&mut b).as_bytes());
        }
        Ok(())
    }
}

impl<R: Read> Read for Utf16Reader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.out_pos == self.out.len() {
            if self.eof {
                return Ok(0);
            }
            self.fill()?;
        }
        let n = buf.len().min(self.out.len() - self.out_pos);
        buf[..n].copy_from_slice(&self.out[self.out_pos..self.out_pos + n]);
        self.out_pos += n;
        Ok(n)
    }
}

/// Appends up to `want` bytes of `r` to `buf` (fewer only at the end of the input or on an error, which is
/// returned with the count of bytes appended before it). The bytes go straight into the vector's spare
/// capacity: nothing is zeroed first, which a stream's reader thread would otherwise spend a tenth of its time on.
pub fn read_append(r: &mut dyn Read, buf: &mut Vec<u8>, want: usize) -> (usize, Option<io::Error>) {
    let old = buf.len();
    let res = r.take(want as u64).read_to_end(buf);
    (buf.len() - old, res.err())
}

/// Reads until `buf` is full or the stream ends. Returns how many bytes were read and the error that stopped
/// the read early, if any: the bytes before an error (a truncated archive) are still good and are scanned.
pub fn read_full(r: &mut dyn Read, buf: &mut [u8]) -> (usize, Option<io::Error>) {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return (n, Some(e)),
        }
    }
    (n, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16(s: &str, bom: bool, be: bool) -> Vec<u8> {
        let mut v = Vec::new();
        let units: Vec<u16> =
            if bom { std::iter::once(0xfeff).chain(s.encode_utf16()).collect() } else { s.encode_utf16().collect() };
        for u in units {
            v.extend_from_slice(&if be { u.to_be_bytes() } else { u.to_le_bytes() });
        }
        v
    }

    #[test]
    fn utf16_is_detected_and_decoded() {
        let text = "2024-03-12 10:00:00,000 ERROR x - Connection refused: kafka-0:9092 ✓ 𝄞\n".repeat(5000);
        for (bom, be) in [(true, false), (true, true), (false, false), (false, true)] {
            let bytes = utf16(&text, bom, be);
            let want = if be { Encoding::Utf16Be } else { Encoding::Utf16Le };
            assert_eq!(Encoding::detect(&bytes[..8192]), want, "bom {bom} be {be}");
            let mut out = String::new();
            Utf16Reader::new(&bytes[..], be).read_to_string(&mut out).expect("decode");
            assert_eq!(out, text, "bom {bom} be {be}");
        }
        assert_eq!(Encoding::detect(b"plain text log line\nanother one\n"), Encoding::Utf8);
        assert_eq!(Encoding::detect(b"\x00\x01\x02binary\x00\x00\xff\xee\x00\x00\x00\x00\x00"), Encoding::Utf8);
    }

    #[test]
    fn expansion_stops_at_the_limit() {
        let data = vec![b'x'; 10_000];
        let mut r = Limited::new(&data[..], 4096);
        let mut out = Vec::new();
        let e = r.read_to_end(&mut out).expect_err("limit");
        assert_eq!(out.len(), 4096);
        assert!(e.to_string().contains("decompression bomb"), "{e}");
        let mut exact = Limited::new(&data[..4096], 4096);
        assert_eq!(exact.read_to_end(&mut Vec::new()).expect("exactly the limit"), 4096);
    }
}
