//! Bytes the run writes once and reads back by offset: the summaries of every function, so
//! that they wait in a temporary file (the page cache) instead of the process's memory. Without
//! a file (the language server, tests), or after a write to it fails, they stay in memory.
//!
//! Summaries go in encoded (postcard), each with a fingerprint: a lookup's answer is recorded
//! by its fingerprint, so a file's recorded lookups hold no summary alive.

use std::fs::File;
use std::hash::{Hash, Hasher};
use std::os::unix::fs::FileExt;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::summary::Summary;

/// Appended bytes are flushed to the file in writes this large, not one write per summary.
const FLUSH_AT: usize = 64 * 1024;

#[derive(Debug, Default)]
pub struct Spill {
    /// The file the bytes before `flushed` are in; `None` when they all stay in `pending`.
    file: Option<File>,
    flushed: u64,
    pending: Vec<u8>,
    /// A write to the file failed: what follows stays in memory.
    in_memory_since_failure: bool,
}

impl Spill {
    /// Bytes kept in `file` (a temporary file the caller made, empty).
    pub fn in_file(file: File) -> Self {
        Spill { file: Some(file), ..Spill::default() }
    }

    /// Bytes written so far.
    pub(super) fn len(&self) -> u64 {
        self.flushed + self.pending.len() as u64
    }

    /// Appends `parts` as one record; returns where it starts.
    pub(super) fn append(&mut self, parts: &[&[u8]]) -> u64 {
        let offset = self.len();
        parts.iter().for_each(|part| self.pending.extend_from_slice(part));
        if self.pending.len() >= FLUSH_AT {
            self.flush();
        }
        offset
    }

    /// Writes the pending bytes to the file; a spill whose file fails keeps them in memory
    /// from then on (offsets stay those of the bytes appended).
    fn flush(&mut self) {
        let Some(file) = self.file.as_ref().filter(|_| !self.in_memory_since_failure) else {
            return;
        };
        if file.write_all_at(&self.pending, self.flushed).is_ok() {
            self.flushed += self.pending.len() as u64;
            self.pending.clear();
        } else {
            self.in_memory_since_failure = true;
        }
    }

    /// The `len` bytes at `offset`, as appended; `None` when the file cannot be read.
    pub(super) fn read(&self, offset: u64, len: usize) -> Option<Vec<u8>> {
        match offset.checked_sub(self.flushed) {
            Some(start) => {
                let start = usize::try_from(start).ok()?;
                self.pending.get(start..start.checked_add(len)?).map(<[u8]>::to_vec)
            }
            None => {
                let mut bytes = vec![0; len];
                self.file.as_ref()?.read_exact_at(&mut bytes, offset).ok()?;
                Some(bytes)
            }
        }
    }
}

/// Where a value `Spill::put_encoded` stored is.
#[derive(Debug, Clone, Copy)]
pub struct Stored {
    offset: u64,
    len: u32,
}

impl Spill {
    /// Appends what `encode` made of a value, for `get`.
    pub(super) fn put_encoded(&mut self, bytes: &[u8]) -> Option<Stored> {
        let len = u32::try_from(bytes.len()).ok()?;
        Some(Stored { offset: self.append(&[bytes]), len })
    }

    /// The value `put_encoded` stored; `None` when it cannot be read back.
    pub(super) fn get<T: DeserializeOwned>(&self, stored: Stored) -> Option<T> {
        let bytes = self.read(stored.offset, stored.len as usize)?;
        postcard::from_bytes(&bytes).ok()
    }
}

/// A value encoded for `Spill::put_encoded` (outside a lock the spill is behind).
pub(super) fn encode<T: Serialize>(value: &T) -> Option<Vec<u8>> {
    postcard::to_allocvec(value).ok()
}

/// Equal for equal summaries, and (128 bits) for no two different summaries of a run.
pub type Fingerprint = u128;

/// A summary encoded for the spill, and its fingerprint.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Encoded {
    pub bytes: Box<[u8]>,
    pub fingerprint: Fingerprint,
}

impl Encoded {
    pub fn of(summary: &Summary) -> Self {
        // Encoding plain data into a vector cannot fail; if it ever did, the empty bytes
        // decode to nothing, and a call to the function is one fdlint cannot see into.
        let bytes = encode(summary).unwrap_or_default().into_boxed_slice();
        Encoded { fingerprint: fingerprint(&bytes), bytes }
    }

    pub fn decode(bytes: &[u8]) -> Option<Summary> {
        postcard::from_bytes(bytes).ok()
    }
}

/// Two SipHash digests of the bytes, apart by a prefix: a run compares fingerprints of a few
/// hundred thousand summaries, where 64 bits would leave a collision merely unlikely.
fn fingerprint(bytes: &[u8]) -> Fingerprint {
    let half = |prefix: u8| {
        let mut hasher = std::hash::DefaultHasher::new();
        prefix.hash(&mut hasher);
        hasher.write(bytes);
        hasher.finish()
    };
    (u128::from(half(1)) << 64) | u128::from(half(2))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_read_back_the_same_from_memory_and_from_the_file_past_a_flush() {
        let file = tempfile::tempfile().expect("a temporary file");
        for mut spill in [Spill::default(), Spill::in_file(file)] {
            let record = vec![7u8; FLUSH_AT / 3];
            let offsets: Vec<u64> =
                (0..5).map(|_| spill.append(&[&record[..1], &record])).collect();
            assert!(spill.file.is_none() || spill.flushed > 0, "some bytes went to the file");
            for offset in offsets {
                assert_eq!(spill.read(offset + 1, record.len()), Some(record.clone()));
            }
            assert_eq!(spill.read(spill.len() - 1, 2), None, "past the end");
        }
    }

    #[test]
    fn a_file_that_cannot_be_written_leaves_the_bytes_in_memory_readable() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let path = dir.path().join("spill");
        std::fs::write(&path, b"").expect("created");
        let read_only = File::open(&path).expect("opened for reading only");
        let mut spill = Spill::in_file(read_only);
        let record = vec![3u8; FLUSH_AT];
        let first = spill.append(&[&record]);
        let second = spill.append(&[&record]);
        assert!(spill.in_memory_since_failure && spill.flushed == 0);
        assert_eq!(spill.read(first, record.len()), Some(record.clone()));
        assert_eq!(spill.read(second, record.len()), Some(record));
    }

    #[test]
    fn equal_summaries_have_one_fingerprint_and_decode_to_themselves() {
        let runs = Summary { runs: true, ..Summary::default() };
        let encoded = Encoded::of(&runs);
        assert_eq!(encoded.fingerprint, Encoded::of(&runs.clone()).fingerprint);
        assert_ne!(encoded.fingerprint, Encoded::of(&Summary::default()).fingerprint);
        assert_eq!(Encoded::decode(&encoded.bytes), Some(runs));
        assert_eq!(Encoded::decode(&[]), None);
    }
}
