//! Everything the command line prints goes through [`write`], so that no write can
//! panic the way `println!` does on a closed pipe or a full disk.

use std::io::{self, Write};
use std::process::ExitCode;
use std::sync::Mutex;

#[derive(Debug, Clone, Copy)]
pub enum Stream {
    /// Results: `check --format json`, the path `new` created.
    Out = 0,
    /// Diagnostics, progress and messages.
    Err = 1,
}

/// Per stream: whether the reader has gone away, and the first other write error.
struct State {
    closed: [bool; 2],
    failed: [Option<io::Error>; 2],
}

static STATE: Mutex<State> = Mutex::new(State {
    closed: [false; 2],
    failed: [None, None],
});

/// Writes `text` to a stream. A closed pipe (`| head`) means nobody reads any more: the
/// rest of that stream's output is dropped and the command goes on to its own exit code.
/// Any other error (a full disk) is kept for [`finish`] and the stream is not written again.
pub fn write(stream: Stream, text: &str) {
    let mut state = STATE
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let i = stream as usize;
    if state.closed[i] || state.failed[i].is_some() {
        return;
    }
    let written = match stream {
        Stream::Out => {
            let mut out = io::stdout().lock();
            out.write_all(text.as_bytes()).and_then(|()| out.flush())
        }
        Stream::Err => io::stderr().lock().write_all(text.as_bytes()),
    };
    match written {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => state.closed[i] = true,
        Err(e) => state.failed[i] = Some(e),
    }
}

/// The exit code once the command is done: its own, unless output was lost to an error
/// other than a closed pipe; that is reported on stderr (if stderr still works) and fails.
pub fn finish(code: ExitCode) -> ExitCode {
    // Writing nothing flushes what stdout may still hold, under the same rules.
    write(Stream::Out, "");
    let mut state = STATE
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let lost_out = state.failed[Stream::Out as usize].take();
    let lost_err = state.failed[Stream::Err as usize].is_some();
    drop(state);
    if let Some(e) = lost_out {
        write(
            Stream::Err,
            &format!("error: cannot write to standard output: {e}\n"),
        );
        return ExitCode::FAILURE;
    }
    if lost_err {
        return ExitCode::FAILURE;
    }
    code
}
