//! Writing a file by comparing before writing: bytes that are already right stay untouched,
//! so an unchanged file is only read and keeps its modification time.

use crate::sink::WriteFn;
use std::fs::{self, File};
use std::io::{self, Read, Seek, Write};
use std::path::Path;

/// Buffer size for writing and comparing files in pieces.
pub(super) const CHUNK: usize = 64 * 1024;

pub(super) fn create_file(path: &Path, content: &WriteFn<'_>) -> io::Result<()> {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent)?;
    }
    let mut out = io::BufWriter::with_capacity(CHUNK, File::create(path)?);
    content(&mut out)?;
    out.flush()
}

/// Writes `content` over the file at `path`, comparing before writing: bytes that are already
/// right stay untouched, so an unchanged file is only read.
pub(super) fn update_file(path: &Path, content: &WriteFn<'_>) -> io::Result<()> {
    let file = fs::OpenOptions::new().read(true).write(true).open(path)?;
    if !file.metadata()?.is_file() {
        return Err(io::Error::other("not a file"));
    }
    let mut update = io::BufWriter::with_capacity(
        CHUNK,
        Update {
            state: UpdateState::Same(io::BufReader::with_capacity(CHUNK, file)),
            pos: 0,
            scratch: Vec::new(),
        },
    );
    content(&mut update)?;
    update.into_inner().map_err(|e| e.into_error())?.finish()
}

/// The writer of [`update_file`]: compares with the old bytes until they first differ, then
/// writes from there on.
pub(super) struct Update {
    state: UpdateState,
    /// Bytes of the new content so far.
    pos: u64,
    scratch: Vec<u8>,
}

pub(super) enum UpdateState {
    /// Everything so far equals the old bytes; the file is read to compare.
    Same(io::BufReader<File>),
    /// The content differs; the file is written from the first differing byte on.
    Differs(io::BufWriter<File>),
}

impl Write for Update {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let old = match &mut self.state {
            UpdateState::Differs(new) => {
                new.write_all(buf)?;
                self.pos += buf.len() as u64;
                return Ok(buf.len());
            }
            UpdateState::Same(old) => old,
        };
        self.scratch.resize(buf.len(), 0);
        let mut filled = 0;
        while filled < buf.len() {
            match old.read(&mut self.scratch[filled..])? {
                0 => break,
                n => filled += n,
            }
        }
        let same = buf
            .iter()
            .zip(&self.scratch[..filled])
            .take_while(|(a, b)| a == b)
            .count();
        self.pos += same as u64;
        if same < buf.len() {
            let mut file = old.get_ref().try_clone()?;
            file.seek(io::SeekFrom::Start(self.pos))?;
            let mut new = io::BufWriter::with_capacity(CHUNK, file);
            new.write_all(&buf[same..])?;
            self.pos += (buf.len() - same) as u64;
            self.state = UpdateState::Differs(new);
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.state {
            UpdateState::Differs(new) => new.flush(),
            UpdateState::Same(_) => Ok(()),
        }
    }
}

impl Update {
    /// Ends the file where the new content ends.
    fn finish(self) -> io::Result<()> {
        let file = match self.state {
            UpdateState::Differs(new) => new.into_inner().map_err(|e| e.into_error())?,
            UpdateState::Same(old) => old.into_inner(),
        };
        if file.metadata()?.len() != self.pos {
            file.set_len(self.pos)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn updating_a_file_writes_only_from_the_first_difference_and_ends_it_where_the_content_ends() {
        let dir = tempfile::tempdir().unwrap();
        let tmp = dir.path();
        let path = tmp.join("f");
        // Pieces of every size, so differences fall inside, at and across buffer boundaries.
        let write_in_pieces = |bytes: &[u8]| {
            let bytes = bytes.to_vec();
            move |w: &mut dyn Write| {
                for (i, piece) in bytes.chunks(7919).enumerate() {
                    w.write_all(piece)?;
                    if i % 3 == 0 {
                        w.flush()?;
                    }
                }
                Ok(())
            }
        };
        let long: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
        let mut middle = long.clone();
        middle[150_000] ^= 1;
        let cases: [&[u8]; 7] = [
            &long,
            &long[..200_000],
            &middle,
            &long,
            b"",
            b"short",
            &long[..CHUNK],
        ];
        fs::write(&path, b"old content").unwrap();
        for new in cases {
            update_file(&path, &write_in_pieces(new)).unwrap();
            assert_eq!(fs::read(&path).unwrap(), new);
        }
        // An unchanged file is only read: its modification time stays.
        let before = fs::metadata(&path).unwrap().modified().unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20));
        update_file(&path, &write_in_pieces(&long[..CHUNK])).unwrap();
        assert_eq!(fs::metadata(&path).unwrap().modified().unwrap(), before);
    }
}
