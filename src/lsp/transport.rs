//! Messages over stdin and stdout, framed by `Content-Length` headers. lsp-server's own reader
//! allocates whatever length a header claims and stops for good at the first body that is not
//! JSON-RPC; this one refuses bodies over [`MAX_MESSAGE_BYTES`] (skipping them unread) and
//! goes on after a malformed body, so that no client can crash or stall the server.

use lsp_server::Message;
use std::io::{self, BufRead, Read, Write};
use std::sync::mpsc;

/// The longest message read: a file of the largest size casebook reads (16 MB), escaped as
/// JSON (each byte up to six characters for control characters; umlauts stay as they are).
pub const MAX_MESSAGE_BYTES: usize = 100 * 1024 * 1024;

/// The longest header line; real ones are a few dozen bytes.
const MAX_HEADER_LINE: u64 = 4096;

/// What the reader thread hands to the main loop.
#[derive(Debug)]
pub enum Incoming {
    Message(Message),
    /// A message that was skipped, and why (logged; the server goes on).
    Skipped(String),
    /// The stream cannot be read further (framing lost, or an error); the server stops.
    Broken(String),
}

/// Starts the thread that reads messages from `input` until it ends, the framing breaks or the
/// main loop hangs up.
pub fn spawn_reader<R: Read + Send + 'static>(input: R) -> mpsc::Receiver<Incoming> {
    let (tx, rx) = mpsc::channel();
    let spawned = std::thread::Builder::new()
        .name("casebook-lsp-read".into())
        .spawn(move || {
            let mut input = io::BufReader::new(input);
            loop {
                let incoming = match read_message(&mut input) {
                    Ok(None) => return,
                    Ok(Some(Ok(message))) => Incoming::Message(message),
                    Ok(Some(Err(why))) => Incoming::Skipped(why),
                    Err(e) => Incoming::Broken(e.to_string()),
                };
                let last = matches!(incoming, Incoming::Broken(_))
                    || matches!(&incoming, Incoming::Message(Message::Notification(n)) if n.method == "exit");
                if tx.send(incoming).is_err() || last {
                    return;
                }
            }
        });
    if let Err(e) = spawned {
        // Without a reader no message arrives; say why, and the main loop sees the end.
        let (tx2, rx2) = mpsc::channel();
        let _ = tx2.send(Incoming::Broken(format!("cannot start the reader: {e}")));
        return rx2;
    }
    rx
}

/// Reads one framed message: `Ok(None)` at the end of the input, `Ok(Some(Err))` for a body
/// that was skipped (too large, not UTF-8, not JSON-RPC), `Err` when the framing is lost.
pub fn read_message(input: &mut impl BufRead) -> io::Result<Option<Result<Message, String>>> {
    let mut length: Option<usize> = None;
    let mut first = true;
    loop {
        let mut line = Vec::new();
        let n = input
            .by_ref()
            .take(MAX_HEADER_LINE)
            .read_until(b'\n', &mut line)?;
        if n == 0 {
            return match first {
                true => Ok(None),
                false => Err(broken("the input ended inside a header")),
            };
        }
        first = false;
        if !line.ends_with(b"\n") {
            return Err(broken("a header line is too long or unterminated"));
        }
        let line = String::from_utf8_lossy(&line);
        let line = line.trim_end_matches(['\r', '\n']);
        if line.is_empty() {
            break;
        }
        let Some((name, value)) = line.split_once(':') else {
            return Err(broken(&format!("malformed header {line:?}")));
        };
        if name.trim().eq_ignore_ascii_case("content-length") {
            let parsed = value.trim().parse::<usize>();
            length = Some(parsed.map_err(|_| broken(&format!("bad Content-Length {value:?}")))?);
        }
    }
    let Some(length) = length else {
        return Err(broken("a message without Content-Length"));
    };
    if length > MAX_MESSAGE_BYTES {
        io::copy(&mut input.by_ref().take(length as u64), &mut io::sink())?;
        return Ok(Some(Err(format!(
            "skipped a message of {length} bytes (at most {MAX_MESSAGE_BYTES} are read)"
        ))));
    }
    let mut body = Vec::with_capacity(length);
    input.by_ref().take(length as u64).read_to_end(&mut body)?;
    if body.len() < length {
        return Err(broken("the input ended inside a message"));
    }
    Ok(Some(serde_json::from_slice::<Message>(&body).map_err(
        |e| format!("skipped a message that is not JSON-RPC: {e}"),
    )))
}

fn broken(why: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, why.to_string())
}

/// Writes messages to stdout. A client that has gone away ends the server: `failed` is set and
/// the main loop stops.
pub struct Writer {
    pub failed: bool,
}

impl Writer {
    pub fn send(&mut self, message: impl Into<Message>) {
        if self.failed {
            return;
        }
        let message: Message = message.into();
        let mut out = io::stdout().lock();
        if message.write(&mut out).and_then(|()| out.flush()).is_err() {
            self.failed = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn framed(body: &str) -> Vec<u8> {
        format!("Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes()
    }

    #[test]
    fn reads_messages_skips_bad_bodies_and_stops_at_lost_framing() {
        let mut input = framed(r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{}}"#);
        input.extend(framed("{not json"));
        input.extend(framed(
            r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#,
        ));
        input.extend(b"Content-Length: 99999999999999\r\n\r\n");
        let mut reader = io::Cursor::new(input);
        let first = read_message(&mut reader).unwrap().unwrap().unwrap();
        assert!(matches!(first, Message::Request(r) if r.method == "initialize"));
        let bad = read_message(&mut reader).unwrap().unwrap();
        assert!(bad.unwrap_err().contains("not JSON-RPC"));
        let third = read_message(&mut reader).unwrap().unwrap().unwrap();
        assert!(matches!(third, Message::Notification(n) if n.method == "initialized"));
        // A length far beyond the limit is skipped without allocating it; the input then ends.
        let huge = read_message(&mut reader);
        assert!(matches!(huge, Ok(Some(Err(_))) | Err(_)), "{huge:?}");
        let mut garbage = io::Cursor::new(b"hello\r\n\r\n".to_vec());
        assert!(read_message(&mut garbage).is_err());
        let mut empty = io::Cursor::new(Vec::new());
        assert!(read_message(&mut empty).unwrap().is_none());
    }
}
