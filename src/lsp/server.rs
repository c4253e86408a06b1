//! The server's loop: messages from the client, debounced re-linting, publishing.

use std::collections::{BTreeSet, HashMap};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crossbeam_channel::{after, never, select};
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::{self as notif, Notification as _};
use lsp_types::request::{self as req, Request as _};
use lsp_types::{
    CodeActionOptions, CodeActionOrCommand, CodeActionParams, CodeActionProviderCapability,
    DidChangeTextDocumentParams, DidChangeWatchedFilesParams,
    DidChangeWatchedFilesRegistrationOptions, DidCloseTextDocumentParams,
    DidOpenTextDocumentParams, DidSaveTextDocumentParams, FileChangeType, FileSystemWatcher,
    GlobPattern, InitializeParams, Location, LogMessageParams, MessageType, PositionEncodingKind,
    PublishDiagnosticsParams, Range, Registration, RegistrationParams, SaveOptions,
    ServerCapabilities, TextDocumentSyncCapability, TextDocumentSyncKind, TextDocumentSyncOptions,
    TextDocumentSyncSaveOptions, Uri,
};

use super::convert::{self, Document};
use super::position::{line_column_position, Encoding, LineIndex};
use super::settings::Settings;
use super::uri::{path_of, uri_of};
use super::workspace::{Change, Workspace};
use crate::diagnostics::{Diagnostic, Elsewhere, Level};
use crate::source::language_of;

/// How long the text must rest after a change before it is linted: a burst of keystrokes is
/// linted once.
const DEBOUNCE: Duration = Duration::from_millis(150);

/// Runs the server on stdin and stdout until the client says `exit`.
pub fn run() -> Result<(), String> {
    let (connection, io_threads) = Connection::stdio();
    let result = serve(&connection);
    drop(connection);
    io_threads.join().map_err(|e| e.to_string())?;
    result
}

fn serve(connection: &Connection) -> Result<(), String> {
    let (id, params) = connection.initialize_start().map_err(|e| e.to_string())?;
    let params: InitializeParams = serde_json::from_value(params).map_err(|e| e.to_string())?;
    let encoding = negotiate_encoding(&params);
    let result = serde_json::json!({
        "capabilities": capabilities(encoding),
        "serverInfo": { "name": "fdlint", "version": env!("CARGO_PKG_VERSION") },
    });
    connection.initialize_finish(id, result).map_err(|e| e.to_string())?;
    let mut server = Server::new(connection, encoding, workspace_roots(&params));
    if watches_files_dynamically(&params) {
        server.register_file_watchers();
    }
    server.index();
    server.main_loop()
}

/// UTF-8 when the client offers it (no conversion of columns), else the default UTF-16.
fn negotiate_encoding(params: &InitializeParams) -> Encoding {
    let offered = params.capabilities.general.as_ref().and_then(|g| g.position_encodings.as_ref());
    match offered {
        Some(kinds) if kinds.contains(&PositionEncodingKind::UTF8) => Encoding::Utf8,
        _ => Encoding::Utf16,
    }
}

fn capabilities(encoding: Encoding) -> ServerCapabilities {
    let position_encoding = match encoding {
        Encoding::Utf8 => PositionEncodingKind::UTF8,
        Encoding::Utf16 => PositionEncodingKind::UTF16,
    };
    ServerCapabilities {
        position_encoding: Some(position_encoding),
        text_document_sync: Some(TextDocumentSyncCapability::Options(TextDocumentSyncOptions {
            open_close: Some(true),
            change: Some(TextDocumentSyncKind::FULL),
            save: Some(TextDocumentSyncSaveOptions::SaveOptions(SaveOptions {
                include_text: Some(false),
            })),
            ..TextDocumentSyncOptions::default()
        })),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![lsp_types::CodeActionKind::QUICKFIX]),
            ..CodeActionOptions::default()
        })),
        ..ServerCapabilities::default()
    }
}

#[allow(deprecated)] // `root_uri`: clients that predate workspace folders still send it.
fn workspace_roots(params: &InitializeParams) -> Vec<PathBuf> {
    match &params.workspace_folders {
        Some(folders) => folders.iter().filter_map(|folder| path_of(&folder.uri)).collect(),
        None => params.root_uri.iter().filter_map(path_of).collect(),
    }
}

fn watches_files_dynamically(params: &InitializeParams) -> bool {
    let workspace = params.capabilities.workspace.as_ref();
    let watched = workspace.and_then(|w| w.did_change_watched_files.as_ref());
    watched.and_then(|w| w.dynamic_registration) == Some(true)
}

/// An open document: the client's unsaved text is the truth for it.
struct OpenDocument {
    uri: Uri,
    version: i32,
    text: String,
}

/// What was last published for an open document, to answer code actions from.
struct Published {
    text: String,
    index: LineIndex,
    findings: Vec<(Diagnostic, lsp_types::Diagnostic)>,
}

struct Server<'a> {
    connection: &'a Connection,
    encoding: Encoding,
    roots: Vec<PathBuf>,
    settings: Settings,
    workspace: Workspace,
    open: HashMap<PathBuf, OpenDocument>,
    published: HashMap<PathBuf, Published>,
    /// Open documents changed since they were last linted, and when to lint them.
    pending: BTreeSet<PathBuf>,
    deadline: Option<Instant>,
    shutting_down: bool,
}

enum Flow {
    Continue,
    Exit,
}

impl<'a> Server<'a> {
    fn new(connection: &'a Connection, encoding: Encoding, roots: Vec<PathBuf>) -> Self {
        Server {
            connection,
            encoding,
            roots,
            settings: Settings::default(),
            workspace: Workspace::configured(),
            open: HashMap::new(),
            published: HashMap::new(),
            pending: BTreeSet::new(),
            deadline: None,
            shutting_down: false,
        }
    }

    fn index(&mut self) {
        let roots = self.roots.clone();
        for problem in self.workspace.index(&roots) {
            self.log(MessageType::WARNING, problem);
        }
    }

    fn main_loop(&mut self) -> Result<(), String> {
        loop {
            let timer = match self.deadline {
                Some(deadline) => after(deadline.saturating_duration_since(Instant::now())),
                None => never(),
            };
            select! {
                recv(self.connection.receiver) -> message => {
                    // The client went away without `exit`.
                    let Ok(message) = message else { return Err("the client hung up".into()) };
                    if let Flow::Exit = self.contained_handle(message) {
                        return match self.shutting_down {
                            true => Ok(()),
                            false => Err("`exit` came before `shutdown`".into()),
                        };
                    }
                }
                recv(timer) -> _ => {
                    self.contained("re-lint", |server| server.flush());
                }
            }
        }
    }

    fn contained_handle(&mut self, message: Message) -> Flow {
        let request_id = match &message {
            Message::Request(request) => Some(request.id.clone()),
            _ => None,
        };
        let method = match &message {
            Message::Request(r) => r.method.clone(),
            Message::Notification(n) => n.method.clone(),
            Message::Response(_) => "response".into(),
        };
        match self.contained(&method, |server| server.handle(message)) {
            Some(flow) => flow,
            None => {
                if let Some(id) = request_id {
                    let error = format!("fdlint failed on `{method}`; see its log");
                    self.send(Response::new_err(id, ErrorCode::InternalError as i32, error));
                }
                Flow::Continue
            }
        }
    }

    /// Runs `work`; a panic in it is logged and the server goes on.
    fn contained<T>(&mut self, what: &str, work: impl FnOnce(&mut Self) -> T) -> Option<T> {
        match catch_unwind(AssertUnwindSafe(|| work(self))) {
            Ok(value) => Some(value),
            Err(payload) => {
                let why = panic_message(payload.as_ref());
                self.log(MessageType::ERROR, format!("internal error in `{what}`: {why}"));
                None
            }
        }
    }

    fn handle(&mut self, message: Message) -> Flow {
        match message {
            Message::Request(request) => return self.handle_request(request),
            Message::Notification(n) if n.method == notif::Exit::METHOD => return Flow::Exit,
            Message::Notification(notification) => self.handle_notification(notification),
            // Answers to our own requests (the file watchers' registration).
            Message::Response(_) => {}
        }
        Flow::Continue
    }

    fn handle_request(&mut self, request: Request) -> Flow {
        if request.method == req::Shutdown::METHOD {
            self.shutting_down = true;
            self.send(Response::new_ok(request.id, ()));
            return Flow::Continue;
        }
        if self.shutting_down {
            let message = "the server is shutting down".to_string();
            self.send(Response::new_err(request.id, ErrorCode::InvalidRequest as i32, message));
            return Flow::Continue;
        }
        match request.method.as_str() {
            req::CodeActionRequest::METHOD => {
                let id = request.id.clone();
                match request.extract::<CodeActionParams>(req::CodeActionRequest::METHOD) {
                    Ok((id, params)) => {
                        let actions = self.code_actions(&params);
                        self.send(Response::new_ok(id, actions));
                    }
                    Err(error) => self.reply_bad_params(id, error),
                }
            }
            _ => {
                let message = format!("fdlint does not handle `{}`", request.method);
                self.send(Response::new_err(request.id, ErrorCode::MethodNotFound as i32, message));
            }
        }
        Flow::Continue
    }

    fn reply_bad_params(&self, id: RequestId, error: impl std::fmt::Debug) {
        let message = format!("invalid parameters: {error:?}");
        self.send(Response::new_err(id, ErrorCode::InvalidParams as i32, message));
    }

    fn handle_notification(&mut self, notification: Notification) {
        let method = notification.method.clone();
        let params = notification.params;
        let result = match method.as_str() {
            notif::DidOpenTextDocument::METHOD => {
                serde_json::from_value(params).map(|p| self.did_open(p))
            }
            notif::DidChangeTextDocument::METHOD => {
                serde_json::from_value(params).map(|p| self.did_change(p))
            }
            notif::DidSaveTextDocument::METHOD => {
                serde_json::from_value::<DidSaveTextDocumentParams>(params).map(|_| self.flush())
            }
            notif::DidCloseTextDocument::METHOD => {
                serde_json::from_value(params).map(|p| self.did_close(p))
            }
            notif::DidChangeWatchedFiles::METHOD => {
                serde_json::from_value(params).map(|p| self.did_change_watched_files(p))
            }
            _ => Ok(()),
        };
        if let Err(error) = result {
            self.log(MessageType::WARNING, format!("ignored `{method}`: {error}"));
        }
    }

    fn did_open(&mut self, params: DidOpenTextDocumentParams) {
        let document = params.text_document;
        let Some(path) = lintable_path(&document.uri) else { return };
        let text = document.text.clone();
        self.open.insert(
            path.clone(),
            OpenDocument { uri: document.uri, version: document.version, text: document.text },
        );
        self.pending.remove(&path);
        self.relint(vec![(path, Some(text))]);
    }

    fn did_change(&mut self, params: DidChangeTextDocumentParams) {
        let Some(path) = lintable_path(&params.text_document.uri) else { return };
        let Some(document) = self.open.get_mut(&path) else { return };
        // Full synchronisation: the last change holds the whole text.
        let Some(change) = params.content_changes.into_iter().last() else { return };
        document.text = change.text;
        document.version = params.text_document.version;
        self.pending.insert(path);
        self.deadline = Some(Instant::now() + DEBOUNCE);
    }

    fn did_close(&mut self, params: DidCloseTextDocumentParams) {
        let uri = params.text_document.uri;
        let Some(path) = lintable_path(&uri) else { return };
        self.open.remove(&path);
        self.pending.remove(&path);
        self.published.remove(&path);
        self.send_diagnostics(uri, Vec::new(), None);
        // The file on disk is the truth again (or it is gone).
        let on_disk = std::fs::read_to_string(&path).ok();
        if on_disk.is_some() || self.workspace.contains(&path) {
            let recomputed = self.workspace.apply_from_disk(vec![(path, on_disk)]);
            self.publish_open(recomputed);
        }
    }

    fn did_change_watched_files(&mut self, params: DidChangeWatchedFilesParams) {
        let mut changes: Vec<Change> = Vec::new();
        let mut config_changed = false;
        for event in params.changes {
            let Some(path) = path_of(&event.uri) else { continue };
            if Settings::is_config_file(&path) {
                config_changed = true;
            } else if language_of(&path).is_some() && !self.open.contains_key(&path) {
                let text = if event.typ == FileChangeType::DELETED {
                    None
                } else {
                    std::fs::read_to_string(&path).ok()
                };
                changes.push((path, text));
            }
        }
        let mut recomputed = self.workspace.apply_from_disk(changes);
        if config_changed {
            self.reload_settings();
            recomputed = self.workspace.reload_configs();
        }
        self.publish_open(recomputed);
    }

    /// Lints the open documents changed since they were last linted.
    fn flush(&mut self) {
        self.deadline = None;
        let pending = std::mem::take(&mut self.pending);
        let changes: Vec<Change> = pending
            .into_iter()
            .filter_map(|path| {
                let text = self.open.get(&path)?.text.clone();
                Some((path, Some(text)))
            })
            .collect();
        if !changes.is_empty() {
            self.relint(changes);
        }
    }

    /// Takes in the editor's changed texts and re-publishes every open document whose
    /// findings they may have changed.
    fn relint(&mut self, changes: Vec<Change>) {
        if changes.is_empty() {
            return;
        }
        let recomputed = self.workspace.apply(changes);
        self.publish_open(recomputed);
    }

    /// Publishes the open documents among `paths`.
    fn publish_open(&mut self, paths: Vec<PathBuf>) {
        for path in paths {
            if self.open.contains_key(&path) {
                self.publish(&path);
            }
        }
    }

    fn publish(&mut self, path: &Path) {
        let Some(document) = self.open.get(path) else { return };
        if self.settings.is_excluded(path) {
            let (uri, version) = (document.uri.clone(), document.version);
            self.published.remove(path);
            self.send_diagnostics(uri, Vec::new(), Some(version));
            return;
        }
        let Some(report) = self.workspace.report(path) else { return };
        let text = report.source.text;
        let index = LineIndex::new(&text, self.encoding);
        let (workspace, encoding) = (&self.workspace, self.encoding);
        let elsewhere = |place: &Elsewhere| locate_elsewhere(workspace, encoding, place);
        let view = Document {
            uri: &document.uri,
            text: &text,
            index: &index,
            language: report.source.language,
            elsewhere: &elsewhere,
        };
        let mut findings = Vec::new();
        let mut config_problems = Vec::new();
        for mut found in report.diagnostics {
            let (level, problem) = self.settings.level_of(path, &found);
            found.level = level;
            config_problems.extend(problem);
            if found.level == Level::Allow || found.suppressed.is_some() {
                continue;
            }
            let converted = convert::diagnostic(&view, &found);
            findings.push((found, converted));
        }
        let mut diagnostics: Vec<lsp_types::Diagnostic> =
            findings.iter().map(|(_, converted)| converted.clone()).collect();
        diagnostics.extend(report.problems.iter().filter_map(|p| convert::problem(&view, p)));
        let (uri, version) = (document.uri.clone(), document.version);
        self.send_diagnostics(uri, diagnostics, Some(version));
        self.published.insert(path.to_path_buf(), Published { text, index, findings });
        for problem in config_problems {
            self.log(MessageType::ERROR, format!("{problem}; using the default levels"));
        }
    }

    fn code_actions(&mut self, params: &CodeActionParams) -> Vec<CodeActionOrCommand> {
        // Answer from the text as it is now, not as it was before the last keystrokes.
        self.flush();
        let uri = &params.text_document.uri;
        let Some(path) = lintable_path(uri) else { return Vec::new() };
        let (Some(published), Some(language)) = (self.published.get(&path), language_of(&path))
        else {
            return Vec::new();
        };
        let (workspace, encoding) = (&self.workspace, self.encoding);
        let elsewhere = |place: &Elsewhere| locate_elsewhere(workspace, encoding, place);
        let view = Document {
            uri,
            text: &published.text,
            index: &published.index,
            language,
            elsewhere: &elsewhere,
        };
        published
            .findings
            .iter()
            .filter(|(_, converted)| overlaps(converted.range, params.range))
            .flat_map(|(found, converted)| convert::code_actions(&view, found, converted))
            .map(CodeActionOrCommand::CodeAction)
            .collect()
    }

    /// Forgets every config read so far: they are read again as files are published.
    fn reload_settings(&mut self) {
        self.settings = Settings::default();
    }

    fn register_file_watchers(&self) {
        let watchers = ["**/*.{rs,c,h}", "**/fdlint.toml", "**/Cargo.toml"]
            .into_iter()
            .map(|glob| FileSystemWatcher {
                glob_pattern: GlobPattern::String(glob.to_string()),
                kind: None,
            })
            .collect();
        let options = DidChangeWatchedFilesRegistrationOptions { watchers };
        let registration = Registration {
            id: "fdlint-watched-files".into(),
            method: notif::DidChangeWatchedFiles::METHOD.into(),
            register_options: serde_json::to_value(options).ok(),
        };
        let params = RegistrationParams { registrations: vec![registration] };
        let request = Request::new(
            RequestId::from("fdlint-register-watchers".to_string()),
            req::RegisterCapability::METHOD.into(),
            params,
        );
        self.send(request);
    }

    fn send_diagnostics(
        &self,
        uri: Uri,
        diagnostics: Vec<lsp_types::Diagnostic>,
        version: Option<i32>,
    ) {
        let params = PublishDiagnosticsParams { uri, diagnostics, version };
        self.send(Notification::new(notif::PublishDiagnostics::METHOD.into(), params));
    }

    /// Logs to stderr and to the client's log.
    fn log(&self, level: MessageType, message: String) {
        eprintln!("fdlint lsp: {message}");
        let params = LogMessageParams { typ: level, message };
        self.send(Notification::new(notif::LogMessage::METHOD.into(), params));
    }

    fn send(&self, message: impl Into<Message>) {
        // The client hung up: the loop ends when the receiver reports it.
        let _ = self.connection.sender.send(message.into());
    }
}

/// A label in another file of the run, placed in that file's text as the workspace holds it.
fn locate_elsewhere(workspace: &Workspace, encoding: Encoding, place: &Elsewhere) -> Location {
    let text = workspace.text(&place.path).unwrap_or_default();
    let start = line_column_position(text, place.line, place.column, encoding);
    let end = line_column_position(text, place.end_line, place.end_column, encoding);
    // A path always makes a URI once it is absolute; the workspace's paths are.
    let uri = uri_of(&place.path).unwrap_or_else(|| "file:///".parse().expect("a valid URI"));
    Location::new(uri, Range::new(start, end))
}

/// The path of a document fdlint lints (`.rs`, `.c`, `.h` on disk or not yet saved).
fn lintable_path(uri: &Uri) -> Option<PathBuf> {
    let path = path_of(uri)?;
    language_of(&path).map(|_| path)
}

fn overlaps(a: Range, b: Range) -> bool {
    a.start <= b.end && b.start <= a.end
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(text) = payload.downcast_ref::<&str>() {
        text.to_string()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "a panic".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_is_logged_to_the_client_and_the_server_goes_on() {
        let (server_side, client_side) = Connection::memory();
        let mut server = Server::new(&server_side, Encoding::Utf16, Vec::new());
        let outcome: Option<()> = server.contained("textDocument/codeAction", |_| panic!("boom"));
        assert!(outcome.is_none());
        let Ok(Message::Notification(log)) = client_side.receiver.try_recv() else {
            panic!("no log message")
        };
        assert_eq!(log.method, "window/logMessage");
        let text = log.params["message"].as_str().unwrap();
        assert_eq!(text, "internal error in `textDocument/codeAction`: boom");
        assert_eq!(server.contained("next", |_| 7), Some(7));
    }
}
