//! `fdlint lsp` end to end: the binary is spawned and spoken to in JSON-RPC over its stdio, as
//! an editor would. Every read has a timeout, so a hung server fails the test.

use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

use lsp_server::{Message, Notification, Request, RequestId};
use serde_json::{json, Value};

const TIMEOUT: Duration = Duration::from_secs(20);

const LEAKING_C: &str = r#"#include <sys/socket.h>
#include <unistd.h>

int main(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    /* é→ */ if (fork() == 0) {
        for (;;) { sleep(1); }
    }
    close(fd);
    return 0;
}
"#;

const LEAKING_RUST: &str = r#"use nix::unistd::{fork, ForkResult};
use std::net::TcpStream;

fn main() {
    let stream = TcpStream::connect("127.0.0.1:80").unwrap();
    let _ = "ü→𝄞"; match unsafe { fork() } {
        Ok(ForkResult::Child) => loop { std::thread::sleep(std::time::Duration::from_secs(1)); },
        Ok(ForkResult::Parent { .. }) => drop(stream),
        Err(_) => {}
    }
}
"#;

/// A fresh folder under the system's temporary folder, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> Self {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let name = format!("fdlint-lsp-test-{}-{n}", std::process::id());
        let path = std::env::temp_dir().join(name);
        std::fs::create_dir_all(&path).expect("create the temporary folder");
        TempDir(path)
    }

    fn write(&self, relative: &str, contents: &str) -> PathBuf {
        let path = self.0.join(relative);
        std::fs::write(&path, contents).expect("write a test file");
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

/// An editor's side of the conversation.
struct Client {
    child: Child,
    stdin: ChildStdin,
    messages: Receiver<Message>,
    next_id: i32,
    /// Notifications read while waiting for something else.
    seen: Vec<Notification>,
}

impl Client {
    fn start(root: &Path, capabilities: Value) -> (Client, Value) {
        let mut child = Command::new(env!("CARGO_BIN_EXE_fdlint"))
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn fdlint lsp");
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (sender, messages) = mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Ok(Some(message)) = Message::read(&mut reader) {
                if sender.send(message).is_err() {
                    break;
                }
            }
        });
        let mut client = Client { child, stdin, messages, next_id: 0, seen: Vec::new() };
        let result = client.request(
            "initialize",
            json!({
                "processId": null,
                "rootUri": uri(root),
                "workspaceFolders": [{ "uri": uri(root), "name": "test" }],
                "capabilities": capabilities,
            }),
        );
        client.notify("initialized", json!({}));
        (client, result)
    }

    fn send(&mut self, message: Message) {
        message.write(&mut self.stdin).expect("write to the server");
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(Notification::new(method.into(), params).into());
    }

    /// Sends a request and returns its result; panics on an error response.
    fn request(&mut self, method: &str, params: Value) -> Value {
        let response = self.try_request(method, params);
        assert!(response.1.is_none(), "{method} failed: {:?}", response.1);
        response.0
    }

    fn try_request(&mut self, method: &str, params: Value) -> (Value, Option<Value>) {
        self.next_id += 1;
        let id = RequestId::from(self.next_id);
        self.send(Request::new(id.clone(), method.into(), params).into());
        let deadline = Instant::now() + TIMEOUT;
        loop {
            match self.next_message(deadline) {
                Message::Response(response) if response.id == id => {
                    return match response.response_result {
                        Ok(result) => (result, None),
                        Err(e) => {
                            (Value::Null, Some(json!({ "code": e.code, "message": e.message })))
                        }
                    };
                }
                Message::Notification(notification) => self.seen.push(notification),
                _ => {}
            }
        }
    }

    fn next_message(&mut self, deadline: Instant) -> Message {
        let left = deadline.saturating_duration_since(Instant::now());
        self.messages.recv_timeout(left).expect("the server answered in time")
    }

    fn open(&mut self, path: &Path, text: &str) {
        let language = if path.extension().is_some_and(|e| e == "rs") { "rust" } else { "c" };
        let document =
            json!({ "uri": uri(path), "languageId": language, "version": 1, "text": text });
        self.notify("textDocument/didOpen", json!({ "textDocument": document }));
    }

    fn change(&mut self, path: &Path, version: i32, text: &str) {
        self.notify(
            "textDocument/didChange",
            json!({
                "textDocument": { "uri": uri(path), "version": version },
                "contentChanges": [{ "text": text }],
            }),
        );
    }

    /// The diagnostics published for `path` next, skipping earlier publications that
    /// `accept` rejects (a server may publish a state before the one the test waits for).
    fn diagnostics_where(&mut self, path: &Path, accept: impl Fn(&[Value]) -> bool) -> Vec<Value> {
        let wanted = uri(path);
        let deadline = Instant::now() + TIMEOUT;
        let mut last = None;
        loop {
            let notification = match self.seen.is_empty() {
                false => self.seen.remove(0),
                true => match self
                    .messages
                    .recv_timeout(deadline.saturating_duration_since(Instant::now()))
                {
                    Ok(Message::Notification(notification)) => notification,
                    Ok(_) => continue,
                    Err(_) => {
                        panic!("no acceptable diagnostics for {wanted}; last published: {last:#?}")
                    }
                },
            };
            if notification.method != "textDocument/publishDiagnostics"
                || notification.params["uri"] != wanted.as_str()
            {
                continue;
            }
            let diagnostics =
                notification.params["diagnostics"].as_array().cloned().unwrap_or_default();
            if accept(&diagnostics) {
                return diagnostics;
            }
            last = Some(diagnostics);
        }
    }

    fn diagnostics(&mut self, path: &Path) -> Vec<Value> {
        self.diagnostics_where(path, |_| true)
    }

    /// `shutdown`, `exit`, and the exit status.
    fn shut_down(mut self) -> i32 {
        self.request("shutdown", Value::Null);
        self.notify("exit", Value::Null);
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Some(status) = self.child.try_wait().expect("wait for the server") {
                return status.code().unwrap_or(-1);
            }
            assert!(Instant::now() < deadline, "the server did not exit");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn range(diagnostic: &Value) -> [u64; 4] {
    let r = &diagnostic["range"];
    [&r["start"]["line"], &r["start"]["character"], &r["end"]["line"], &r["end"]["character"]]
        .map(|n| n.as_u64().expect("a number"))
}

fn codes(diagnostics: &[Value]) -> Vec<&str> {
    diagnostics.iter().map(|d| d["code"].as_str().unwrap_or("")).collect()
}

#[test]
fn leaks_are_shown_as_typed_with_utf16_ranges_and_fixed_leaks_go_away() {
    let dir = TempDir::new();
    let (mut client, init) = Client::start(&dir.0, json!({}));
    assert_eq!(init["capabilities"]["positionEncoding"], "utf-16");

    // The files exist only in the editor: the server lints the unsaved text.
    let c_file = dir.0.join("leak.c");
    client.open(&c_file, LEAKING_C);
    let found = client.diagnostics(&c_file);
    assert_eq!(codes(&found), ["FDL001"]);
    // `    /* é→ */ if (` is 17 UTF-16 units (20 bytes).
    assert_eq!(range(&found[0]), [6, 17, 6, 23]);
    assert_eq!(found[0]["source"], "fdlint");
    assert_eq!(found[0]["severity"], 2);
    let href = found[0]["codeDescription"]["href"].as_str().unwrap();
    assert!(href.ends_with("docs/lints/FDL001.md"), "{href}");
    let related = found[0]["relatedInformation"].as_array().unwrap();
    assert_eq!(range(&related[0]["location"]), [5, 13, 5, 44]);
    assert!(related[0]["message"].as_str().unwrap().contains("opened here"));

    let rust_file = dir.0.join("leak.rs");
    client.open(&rust_file, LEAKING_RUST);
    let found = client.diagnostics(&rust_file);
    assert_eq!(codes(&found), ["FDL001"]);
    // `    let _ = "ü→𝄞"; match unsafe { ` is 35 UTF-16 units (41 bytes).
    assert_eq!(range(&found[0]), [5, 35, 5, 41]);

    // Several changes in a burst; the last one closes the descriptor in the child.
    client.change(&c_file, 2, &LEAKING_C.replace("sleep(1)", "sleep(2)"));
    let fixed = LEAKING_C.replace("== 0) {\n", "== 0) {\n        close(fd);\n");
    client.change(&c_file, 3, &fixed);
    let after = client.diagnostics_where(&c_file, <[Value]>::is_empty);
    assert!(after.is_empty());

    assert_eq!(client.shut_down(), 0);
}

#[test]
fn columns_count_bytes_when_the_client_offers_utf8() {
    let dir = TempDir::new();
    let capabilities = json!({ "general": { "positionEncodings": ["utf-8", "utf-16"] } });
    let (mut client, init) = Client::start(&dir.0, capabilities);
    assert_eq!(init["capabilities"]["positionEncoding"], "utf-8");
    let c_file = dir.0.join("leak.c");
    client.open(&c_file, LEAKING_C);
    assert_eq!(range(&client.diagnostics(&c_file)[0]), [6, 20, 6, 26]);
    assert_eq!(client.shut_down(), 0);
}

#[test]
fn a_code_action_inserts_the_allow_comment_on_the_line_before() {
    let dir = TempDir::new();
    let (mut client, _) = Client::start(&dir.0, json!({}));
    for (name, text, comment) in [
        ("leak.rs", LEAKING_RUST, "    // fdlint: allow(fork_after_connect)\n"),
        ("leak.c", LEAKING_C, "    /* fdlint: allow(fork_after_connect) */\n"),
    ] {
        let path = dir.0.join(name);
        client.open(&path, text);
        let found = client.diagnostics(&path);
        let fork_line = range(&found[0])[0];
        let actions = client.request(
            "textDocument/codeAction",
            json!({
                "textDocument": { "uri": uri(&path) },
                "range": found[0]["range"],
                "context": { "diagnostics": found },
            }),
        );
        let actions = actions.as_array().unwrap();
        let allow = actions
            .iter()
            .find(|a| a["title"] == "Allow `fork_after_connect` here")
            .unwrap_or_else(|| panic!("no allow action in {actions:#?}"));
        assert_eq!(allow["kind"], "quickfix");
        let edits = &allow["edit"]["changes"][uri(&path)];
        assert_eq!(edits[0]["newText"], comment);
        assert_eq!(range(&edits[0]), [fork_line, 0, fork_line, 0]);
        // Applied, the comment silences the finding.
        let mut lines: Vec<&str> = text.split_inclusive('\n').collect();
        lines.insert(fork_line as usize, comment);
        client.change(&path, 2, &lines.concat());
        client.diagnostics_where(&path, <[Value]>::is_empty);
        // Any fix a lint offers comes with its edit.
        for fix in actions.iter().filter(|a| a["title"] != allow["title"]) {
            assert!(!fix["edit"]["changes"][uri(&path)].as_array().unwrap().is_empty(), "{fix:#?}");
        }
    }
    assert_eq!(client.shut_down(), 0);
}

#[test]
fn the_safe_fix_is_the_preferred_quick_fix_with_its_edit_in_utf16() {
    let dir = TempDir::new();
    let (mut client, _) = Client::start(&dir.0, json!({}));
    let path = dir.0.join("leak.c");
    client.open(&path, LEAKING_C);
    let found = client.diagnostics(&path);
    let actions = client.request(
        "textDocument/codeAction",
        json!({
            "textDocument": { "uri": uri(&path) },
            "range": found[0]["range"],
            "context": { "diagnostics": found },
        }),
    );
    let actions = actions.as_array().unwrap();
    let close = actions
        .iter()
        .find(|a| a["title"] == "add `close(fd);` at the start of the child's branch")
        .unwrap_or_else(|| panic!("no close fix in {actions:#?}"));
    assert_eq!(close["kind"], "quickfix");
    assert_eq!(close["isPreferred"], true);
    let edit = &close["edit"]["changes"][uri(&path)][0];
    // After `    /* é→ */ if (fork() == 0) {`: 31 UTF-16 units (34 bytes).
    assert_eq!(range(edit), [6, 31, 6, 31]);
    assert_eq!(edit["newText"], "\n        close(fd);");
    // The unsafe ones are offered, never preferred.
    let unsafe_fix =
        actions.iter().find(|a| a["title"].as_str().unwrap().starts_with("`shutdown("));
    assert_eq!(unsafe_fix.map(|a| &a["isPreferred"]), Some(&json!(false)));

    let fixed = LEAKING_C.replacen("== 0) {", "== 0) {\n        close(fd);", 1);
    client.change(&path, 2, &fixed);
    client.diagnostics_where(&path, <[Value]>::is_empty);
    assert_eq!(client.shut_down(), 0);
}

const OPENER: &str = "#include <sys/socket.h>\n\nint open_conn(void)\n{\n    int fd = /* ü𝄞 */ socket(AF_INET, SOCK_STREAM, 0);\n    return fd;\n}\n";
const NOT_OPENER: &str = "int open_conn(void)\n{\n    return -1;\n}\n";
const FORKER: &str = "#include <unistd.h>\n\nextern int open_conn(void);\nextern void serve(int fd);\n\nint main(void)\n{\n    int fd = open_conn();\n    if (fork() == 0) {\n        for (;;) { sleep(1); }\n    }\n    serve(fd);\n    return 0;\n}\n";

#[test]
fn a_fork_sees_the_connection_opened_in_another_file_and_follows_its_edits() {
    let dir = TempDir::new();
    let opener = dir.write("conn.c", OPENER);
    let forker = dir.write("main.c", FORKER);
    let (mut client, _) = Client::start(&dir.0, json!({}));
    client.open(&forker, FORKER);
    let found = client.diagnostics(&forker);
    assert_eq!(codes(&found), ["FDL001"]);
    // The story starts in the other file: `    int fd = /* ü𝄞 */ ` is 23 UTF-16 units.
    let opened = &found[0]["relatedInformation"][0];
    assert_eq!(opened["location"]["uri"], uri(&opener));
    assert_eq!(range(&opened["location"]), [4, 23, 4, 54]);

    // Editing the opener (unsaved) re-publishes the forker.
    client.open(&opener, OPENER);
    client.change(&opener, 2, NOT_OPENER);
    client.diagnostics_where(&forker, <[Value]>::is_empty);
    client.change(&opener, 3, OPENER);
    client.diagnostics_where(&forker, |d| codes(d) == ["FDL001"]);
    // A line added above the open moves the forker's label with it.
    client.change(&opener, 4, &format!("/* new */\n{OPENER}"));
    let moved = client.diagnostics_where(&forker, |d| {
        d.len() == 1 && range(&d[0]["relatedInformation"][0]["location"])[0] == 5
    });
    assert_eq!(range(&moved[0]["relatedInformation"][0]["location"]), [5, 23, 5, 54]);
    client.change(&opener, 5, OPENER);

    // Closed, the opener is its file on disk again; changed on disk, it is read again.
    client.notify("textDocument/didClose", json!({ "textDocument": { "uri": uri(&opener) } }));
    dir.write("conn.c", NOT_OPENER);
    let changed = json!({ "changes": [{ "uri": uri(&opener), "type": 2 }] });
    client.notify("workspace/didChangeWatchedFiles", changed);
    client.diagnostics_where(&forker, <[Value]>::is_empty);

    // Deleted under the server: a call it cannot see into.
    dir.write("conn.c", OPENER);
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [{ "uri": uri(&opener), "type": 2 }] }),
    );
    client.diagnostics_where(&forker, |d| codes(d) == ["FDL001"]);
    std::fs::remove_file(&opener).unwrap();
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [{ "uri": uri(&opener), "type": 3 }] }),
    );
    client.diagnostics_where(&forker, <[Value]>::is_empty);
    assert_eq!(client.shut_down(), 0);
}

#[test]
fn levels_come_from_fdlint_toml_and_follow_its_changes() {
    let dir = TempDir::new();
    let config = dir.write("fdlint.toml", "[lints]\nfork_after_connect = \"deny\"\n");
    let (mut client, _) = Client::start(&dir.0, json!({}));
    let c_file = dir.0.join("leak.c");
    client.open(&c_file, LEAKING_C);
    assert_eq!(client.diagnostics(&c_file)[0]["severity"], 1);

    dir.write("fdlint.toml", "[lints]\nfork_after_connect = \"allow\"\n");
    let changed = json!({ "changes": [{ "uri": uri(&config), "type": 2 }] });
    client.notify("workspace/didChangeWatchedFiles", changed);
    client.diagnostics_where(&c_file, <[Value]>::is_empty);

    // A file the config excludes gets no findings.
    dir.write("fdlint.toml", "exclude = [\"vendor\"]\n");
    let changed = json!({ "changes": [{ "uri": uri(&config), "type": 2 }] });
    client.notify("workspace/didChangeWatchedFiles", changed);
    assert_eq!(client.diagnostics_where(&c_file, |d| !d.is_empty())[0]["severity"], 2);
    let vendored = dir.0.join("vendor/leak.c");
    client.open(&vendored, LEAKING_C);
    assert_eq!(client.diagnostics(&vendored), Vec::<Value>::new());

    // A broken config is logged and the defaults apply.
    dir.write("fdlint.toml", "[lints\n");
    let changed = json!({ "changes": [{ "uri": uri(&config), "type": 2 }] });
    client.notify("workspace/didChangeWatchedFiles", changed);
    assert_eq!(client.diagnostics_where(&c_file, |d| !d.is_empty())[0]["severity"], 2);
    assert_eq!(client.shut_down(), 0);
}

const USES_MODEL: &str = "#include <unistd.h>\n\nextern int db_connect(const char *url);\nextern void serve(int fd);\n\nint main(void)\n{\n    int db = db_connect(\"postgres://localhost/app\");\n    if (fork() == 0) {\n        for (;;) { sleep(1); }\n    }\n    serve(db);\n    return 0;\n}\n";

const DB_MODEL: &str = "[[api]]\nlanguage = \"c\"\n\n[[api.function]]\nnames = [\"db_connect\"]\neffect = \"open\"\nwhat = \"database connection\"\n";

#[test]
fn api_models_come_from_fdlint_toml_and_follow_its_changes() {
    let dir = TempDir::new();
    let config = dir.write("fdlint.toml", DB_MODEL);
    let (mut client, _) = Client::start(&dir.0, json!({}));
    let c_file = dir.0.join("worker.c");
    client.open(&c_file, USES_MODEL);
    // By the project's model, `db_connect` opens a connection the child keeps.
    let found = client.diagnostics(&c_file);
    assert_eq!(codes(&found), ["FDL001"]);
    assert!(found[0]["message"].as_str().unwrap().contains("database connection"), "{found:#?}");

    // Without the model, `db_connect` is a call fdlint cannot see into.
    dir.write("fdlint.toml", "[lints]\nfork_after_connect = \"warn\"\n");
    let changed = json!({ "changes": [{ "uri": uri(&config), "type": 2 }] });
    client.notify("workspace/didChangeWatchedFiles", changed);
    client.diagnostics_where(&c_file, <[Value]>::is_empty);

    // Back, and the edits after it are analysed with it.
    dir.write("fdlint.toml", DB_MODEL);
    let changed = json!({ "changes": [{ "uri": uri(&config), "type": 2 }] });
    client.notify("workspace/didChangeWatchedFiles", changed);
    client.diagnostics_where(&c_file, |d| codes(d) == ["FDL001"]);
    client.change(&c_file, 2, &USES_MODEL.replace("sleep(1)", "sleep(2)"));
    let found = client.diagnostics_where(&c_file, |d| codes(d) == ["FDL001"]);
    assert!(found[0]["message"].as_str().unwrap().contains("database connection"));
    assert_eq!(client.shut_down(), 0);
}

#[test]
fn half_typed_and_broken_input_never_stops_the_server() {
    let dir = TempDir::new();
    let (mut client, _) = Client::start(&dir.0, json!({}));
    let rust_file = dir.0.join("half.rs");
    let half = &LEAKING_RUST[..LEAKING_RUST.find("match").unwrap()];
    client.open(&rust_file, half);
    let found = client.diagnostics(&rust_file);
    assert!(found.iter().all(|d| d["severity"] == 3), "{found:#?}");
    // Every prefix, as typed one character at a time.
    for (version, (end, _)) in LEAKING_C.char_indices().enumerate().step_by(7) {
        client.change(&rust_file, version as i32 + 2, &LEAKING_C[..end]);
    }
    client.change(&rust_file, 1000, LEAKING_RUST);
    client.diagnostics_where(&rust_file, |d| codes(d) == ["FDL001"]);

    // Garbage parameters, an unknown request, a document that is not open.
    client.notify("textDocument/didOpen", json!({ "textDocument": 42 }));
    let (_, error) = client.try_request("fdlint/unknown", json!({}));
    assert_eq!(error.unwrap()["code"], -32601);
    let other = uri(&dir.0.join("nowhere.c"));
    let actions = client.request(
        "textDocument/codeAction",
        json!({
            "textDocument": { "uri": other },
            "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 0, "character": 0 } },
            "context": { "diagnostics": [] },
        }),
    );
    assert_eq!(actions, json!([]));
    assert_eq!(client.shut_down(), 0);
}
