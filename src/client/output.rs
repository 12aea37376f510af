//! Output: aligned text tables (right-aligned numbers), sizes in IEC units, dates as
//! `YYYY-MM-DD HH:MM` (UTC), JSON for `-o json`, progress lines only when stderr is a
//! terminal, and the confirmation of destructive commands.
use super::error::{ClientError, Result};
use chrono::{DateTime, Utc};
use serde_json::Value;
use std::io::{IsTerminal, Write};

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum, Default)]
pub enum Format {
    #[default]
    Table,
    Json,
}

/// A text table; a heading written with a leading `>` is a right-aligned column.
pub struct Table {
    head: Vec<String>,
    right: Vec<bool>,
    rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new(head: &[&str]) -> Table {
        Table {
            head: head
                .iter()
                .map(|s| s.trim_start_matches('>').to_string())
                .collect(),
            right: head.iter().map(|s| s.starts_with('>')).collect(),
            rows: vec![],
        }
    }

    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    pub fn render(&self) -> String {
        let n = self.head.len();
        let mut width = vec![0; n];
        for r in std::iter::once(&self.head).chain(&self.rows) {
            for (i, c) in r.iter().enumerate().take(n) {
                width[i] = width[i].max(c.chars().count());
            }
        }
        let numeric = |i: usize| self.right[i];
        let mut out = String::new();
        for r in std::iter::once(&self.head).chain(&self.rows) {
            let mut line = String::new();
            for (i, w) in width.iter().enumerate() {
                let c = r.get(i).map(String::as_str).unwrap_or("");
                let pad = w - c.chars().count();
                if i > 0 {
                    line.push_str("  ");
                }
                if numeric(i) {
                    line.push_str(&" ".repeat(pad));
                    line.push_str(c);
                } else {
                    line.push_str(c);
                    if i + 1 < n {
                        line.push_str(&" ".repeat(pad));
                    }
                }
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out
    }
}

/// `1536` → `1.5 KiB`.
pub fn size(bytes: i64) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = bytes as f64;
    let mut u = 0;
    while v >= 1024.0 && u + 1 < units.len() {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{bytes} B")
    } else {
        format!("{v:.1} {}", units[u])
    }
}

pub fn date(d: Option<DateTime<Utc>>) -> String {
    d.map(|d| d.format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_else(|| "-".into())
}

pub fn parse_date(s: Option<&str>) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s?)
        .ok()
        .map(|d| d.with_timezone(&Utc))
}

pub fn print_json(v: &Value) {
    let text = serde_json::to_string_pretty(v).unwrap_or_else(|_| v.to_string());
    emit(&format!("{text}\n"));
}

/// Writes to stdout; a reader that went away (`| head`) is not an error.
pub fn emit(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes()).and_then(|_| out.flush());
}

/// Whether progress is shown: stdout and stderr are both a terminal (never in `-o json`
/// piped into a program, never in a script's captured output).
pub fn interactive() -> bool {
    std::io::stdout().is_terminal() && std::io::stderr().is_terminal()
}

/// A progress note on stderr (one line, redrawn), only when [`interactive`].
pub fn progress(msg: &str) {
    if interactive() {
        let mut err = std::io::stderr();
        let _ = write!(err, "\r\x1b[2K{msg}");
        let _ = err.flush();
    }
}

pub fn progress_done() {
    progress("");
}

/// A counted operation's progress line: `what [#####-----] 3/10 item`.
pub struct Progress {
    what: String,
    total: usize,
    done: usize,
}

impl Progress {
    pub fn new(what: &str, total: usize) -> Progress {
        let p = Progress {
            what: what.to_string(),
            total,
            done: 0,
        };
        p.draw("");
        p
    }

    /// One more step done; `item` names it.
    pub fn step(&mut self, item: &str) {
        self.done = (self.done + 1).min(self.total);
        self.draw(item);
    }

    fn draw(&self, item: &str) {
        progress(&bar(&self.what, self.done, self.total, item));
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        progress_done();
    }
}

/// `what [#####-----] 3/10 item` (20 cells; the item cut to 40 characters).
pub fn bar(what: &str, done: usize, total: usize, item: &str) -> String {
    let cells = 20;
    let full = (done * cells).checked_div(total).unwrap_or(cells);
    let item: String = item.chars().take(40).collect();
    format!(
        "{what} [{}{}] {done}/{total} {item}",
        "#".repeat(full),
        "-".repeat(cells - full)
    )
    .trim_end()
    .to_string()
}

/// `1 image`, `2 images`.
pub fn count(n: impl Into<i64>, one: &str, many: &str) -> String {
    let n = n.into();
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Reads one line from stdin; on a terminal `prompt` is shown on stderr and the typing is not
/// echoed (`stty -echo`, as `berth admin set-password` does).
pub fn read_secret(prompt: &str) -> std::io::Result<String> {
    let terminal = std::io::stdin().is_terminal();
    let echo = |on: bool| {
        let _ = std::process::Command::new("stty")
            .arg(if on { "echo" } else { "-echo" })
            .stdin(std::process::Stdio::inherit())
            .status();
    };
    if terminal {
        // Echo goes off before the prompt shows, so nothing typed after it is echoed.
        echo(false);
        eprint!("{prompt}");
        let _ = std::io::stderr().flush();
    }
    let mut line = String::new();
    let read = std::io::stdin().read_line(&mut line);
    if terminal {
        echo(true);
        eprintln!();
    }
    read?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

/// Asks before a destructive action: `--yes` skips the question; without a terminal the
/// command refuses ([`ClientError::Aborted`]).
pub fn confirm(question: &str, yes: bool) -> Result<()> {
    if yes {
        return Ok(());
    }
    if !std::io::stdin().is_terminal() {
        return Err(ClientError::Aborted(format!(
            "{question} Not confirmed: pass --yes to run without a terminal"
        )));
    }
    eprint!("{question} [y/N] ");
    let _ = std::io::stderr().flush();
    let mut line = String::new();
    let _ = std::io::stdin().read_line(&mut line);
    match line.trim().to_lowercase().as_str() {
        "y" | "yes" => Ok(()),
        _ => Err(ClientError::Aborted(
            "not confirmed; nothing changed".into(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_align_text_left_and_numbers_right() {
        let mut t = Table::new(&["NAME", ">TAGS"]);
        t.row(vec!["a/b".into(), "3".into()]);
        t.row(vec!["long/name".into(), "12".into()]);
        assert_eq!(
            t.render(),
            "NAME       TAGS\na/b           3\nlong/name    12\n"
        );
        assert_eq!(size(1536), "1.5 KiB");
        assert_eq!(size(12), "12 B");
    }

    #[test]
    fn counts_agree_in_number_and_bars_fill_with_progress() {
        assert_eq!(count(1, "image", "images"), "1 image");
        assert_eq!(count(0, "image", "images"), "0 images");
        assert_eq!(count(2, "repository", "repositories"), "2 repositories");
        assert_eq!(
            bar("rm", 5, 10, "a:1"),
            format!("rm [{}{}] 5/10 a:1", "#".repeat(10), "-".repeat(10))
        );
        assert_eq!(bar("rm", 0, 0, ""), format!("rm [{}] 0/0", "#".repeat(20)));
    }
}
