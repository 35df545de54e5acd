//! Measures what a writer waits for in the editor: from a keystroke to the diagnostics of the
//! edited entry, with `casebook lsp` holding a whole catalogue.
//!
//! ```text
//! cargo build --release && cargo run --release --example bench_lsp -- <CATALOGUE_DIR> [KEYSTROKES] [--bin target/release/casebook] [--log]
//! ```
//!
//! Starts the real server as an editor does (`casebook lsp`, JSON-RPC over its stdin and
//! stdout), opens the first Format of the catalogue and waits for its diagnostics (the time to
//! read and check the catalogue is printed too). Then types KEYSTROKES (default 101) characters
//! one by one into its summary, each an incremental `didChange`, and times each until the
//! diagnostics of that version arrive: every keystroke re-checks the entry and the checks across
//! files (references, slugs) over the whole catalogue. Every tenth keystroke mistypes a term, so
//! the diagnostics come and go. Prints the median, the 90th percentile and the maximum. Files
//! are not changed. `--log` has the server print how long each check took (`--verbose`). The
//! server's CPU time per keystroke is printed too (from /proc), the figure that a busy machine
//! changes least.

use casebook::lsp::transport::read_message;
use serde_json::{json, Value};
use std::io::{BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{ChildStdin, Command, Stdio};
use std::time::{Duration, Instant};

fn send(stdin: &mut ChildStdin, message: Value) {
    let body = message.to_string();
    let framed = format!("Content-Length: {}\r\n\r\n{body}", body.len());
    stdin
        .write_all(framed.as_bytes())
        .expect("write to the server");
    stdin.flush().expect("flush");
}

/// The CPU time (user and system) a process has used so far, from `/proc` (Linux): on a
/// machine shared with other jobs the steadier figure beside the wall time.
fn cpu_time(pid: u32) -> Option<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The fields after the command name in parentheses; utime and stime are the 12th and 13th.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    // SAFETY: sysconf only reads a constant of the system.
    let per_second = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    Some(Duration::from_secs_f64(
        ticks as f64 / per_second.max(1) as f64,
    ))
}

fn first_format(root: &Path) -> PathBuf {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root.join("content/formate"))
        .expect("content/formate")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    files.sort();
    files.into_iter().next().expect("a Format")
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = PathBuf::from(
        args.first()
            .expect("usage: bench_lsp <CATALOGUE_DIR> [KEYSTROKES] [--bin PATH]"),
    )
    .canonicalize()
    .expect("catalogue folder");
    let keystrokes: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(101);
    let bin = args
        .iter()
        .position(|a| a == "--bin")
        .and_then(|i| args.get(i + 1))
        .map_or_else(|| PathBuf::from("target/release/casebook"), PathBuf::from);
    let mut command = Command::new(&bin);
    command.arg("lsp").arg("--root").arg(&root);
    if args.iter().any(|a| a == "--log") {
        command.arg("--verbose");
    }
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("start {}: {e}", bin.display()));
    let mut stdin = child.stdin.take().expect("stdin");
    let (tx, rx) = std::sync::mpsc::channel();
    let stdout = child.stdout.take().expect("stdout");
    std::thread::spawn(move || {
        let mut reader = BufReader::new(stdout);
        while let Ok(Some(Ok(message))) = read_message(&mut reader) {
            let value = serde_json::to_value(message).unwrap_or_default();
            let _ = tx.send((Instant::now(), value));
        }
    });
    let file = first_format(&root);
    let uri = url::Url::from_file_path(&file).expect("path").to_string();
    let text = std::fs::read_to_string(&file).expect("read the entry");
    let summary = text
        .lines()
        .position(|l| l.starts_with("kurzbeschreibung:"))
        .expect("a summary line") as u32;
    let thema = text
        .lines()
        .position(|l| l.starts_with("thema: ["))
        .map(|l| l as u32);
    // Waits for the diagnostics of `version`; the time they arrived.
    let wait = |version: i64| loop {
        let (at, m) = rx
            .recv_timeout(Duration::from_secs(120))
            .expect("diagnostics in time");
        if m["method"] == "textDocument/publishDiagnostics" && m["params"]["version"] == version {
            return at;
        }
    };

    let start = Instant::now();
    send(
        &mut stdin,
        json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}}),
    );
    send(
        &mut stdin,
        json!({"jsonrpc": "2.0", "method": "initialized", "params": {}}),
    );
    send(
        &mut stdin,
        json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {
            "uri": uri, "languageId": "markdown", "version": 1, "text": text,
        }}}),
    );
    let opened = wait(1);
    println!(
        "{}: read, checked and opened in {:.0} ms",
        file.display(),
        (opened - start).as_secs_f64() * 1000.0
    );
    let pid = child.id();
    let cpu_before = cpu_time(pid);
    let mut times = Vec::with_capacity(keystrokes);
    let mut typo = false;
    for i in 0..keystrokes {
        let version = i as i64 + 2;
        // Every tenth keystroke mistypes the first term (`thema: [x` → `thema: [Qx`) or puts
        // it right again; the others type into the summary.
        let change = match (i % 10 == 9, thema) {
            (true, Some(line)) => {
                typo = !typo;
                let end = if typo { 8 } else { 9 };
                let text = if typo { "Q" } else { "" };
                json!({"range": {"start": {"line": line, "character": 8}, "end": {"line": line, "character": end}}, "text": text})
            }
            _ => {
                let at = json!({"line": summary, "character": 18 + i});
                json!({"range": {"start": at, "end": at}, "text": "x"})
            }
        };
        let sent = Instant::now();
        send(
            &mut stdin,
            json!({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {
                "textDocument": {"uri": uri, "version": version},
                "contentChanges": [change],
            }}),
        );
        times.push(wait(version) - sent);
    }
    let cpu = cpu_time(pid)
        .zip(cpu_before)
        .map(|(after, before)| after - before);
    send(
        &mut stdin,
        json!({"jsonrpc": "2.0", "id": 2, "method": "shutdown"}),
    );
    send(&mut stdin, json!({"jsonrpc": "2.0", "method": "exit"}));
    let _ = child.wait();
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "keystroke → diagnostics over {} keystrokes: median {:.1} ms, p90 {:.1} ms, max {:.1} ms",
        times.len(),
        ms(times[times.len() / 2]),
        ms(times[times.len() * 9 / 10]),
        ms(times[times.len() - 1]),
    );
    if let Some(cpu) = cpu {
        println!(
            "server CPU time per keystroke (user + system): {:.1} ms",
            ms(cpu) / times.len() as f64
        );
    }
}
