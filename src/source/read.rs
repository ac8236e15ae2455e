//! Opening an input as a byte stream: plain files, gzip and zstd archives decompressed as streams (never into
//! memory whole), and standard input.

use super::{Compression, Input, Location};
use std::fs::File;
use std::io::{self, BufReader, Read};

/// Opens an input for sequential reading, decompressing on the fly.
pub fn open_stream(input: &Input) -> io::Result<Box<dyn Read + Send>> {
    let raw: Box<dyn Read + Send> = match &input.location {
        Location::Stdin => Box::new(io::stdin()),
        Location::File(p) | Location::Stream(p) => Box::new(File::open(p)?),
    };
    Ok(match input.compression {
        Compression::None => raw,
        Compression::Gzip => Box::new(flate2::read::MultiGzDecoder::new(BufReader::with_capacity(256 * 1024, raw))),
        Compression::Zstd => Box::new(zstd::stream::read::Decoder::new(raw)?),
    })
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
